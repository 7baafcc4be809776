using ActiveSynth.Contracts;
using ActiveSynth.Training.Grpc;
using ActiveSynth.Student;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.UseGrpcOnlyKestrel();
builder.AddActiveSynthService(ConsumerGroups.Training);
builder.AddStudentRuntime();
builder.Services.AddGrpc();

var app = builder.Build();

app.MapGrpcService<TrainerApi>();
app.MapDefaultEndpoints();

app.Run();
