using ActiveSynth.Hosting.Grpc;
using ActiveSynth.Hosting;
using ActiveSynth.Contracts;
using ActiveSynth.Scoring;
using ActiveSynth.Scoring.Grpc;
using ActiveSynth.Workers.Scoring;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.UseGrpcOnlyKestrel();
builder.AddActiveSynthService(ConsumerGroups.Scoring);
builder.AddScoring();
builder.Services.AddActiveSynthGrpc();

var app = builder.Build();

app.MapGrpcService<ScorerApi>();
app.MapDefaultEndpoints();

app.Run();
