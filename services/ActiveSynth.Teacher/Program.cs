using ActiveSynth.Hosting.Grpc;
using ActiveSynth.Hosting;
using ActiveSynth.Contracts;
using ActiveSynth.Teacher;
using ActiveSynth.Teacher.Grpc;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.UseGrpcOnlyKestrel();
builder.AddActiveSynthService(ConsumerGroups.Teacher);
builder.AddTeacher();
builder.Services.AddActiveSynthGrpc();

var app = builder.Build();

app.MapGrpcService<TeacherApi>();
app.MapDefaultEndpoints();

app.Run();
