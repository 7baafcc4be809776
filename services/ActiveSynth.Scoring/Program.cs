using ActiveSynth.Contracts;
using ActiveSynth.Scoring.Grpc;
using ActiveSynth.Student;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.UseGrpcOnlyKestrel();
builder.AddActiveSynthService(ConsumerGroups.Scoring);
builder.AddStudentRuntime();
builder.Services.AddGrpc();

var app = builder.Build();

app.MapGrpcService<ScorerApi>();
app.MapDefaultEndpoints();

app.Run();
