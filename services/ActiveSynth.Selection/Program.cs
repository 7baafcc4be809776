using ActiveSynth.Hosting.Grpc;
using ActiveSynth.Hosting;
using ActiveSynth.Contracts;
using ActiveSynth.Selection;
using ActiveSynth.Selection.Grpc;
using ActiveSynth.Selection.Probes;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.UseGrpcOnlyKestrel();
builder.AddActiveSynthService(ConsumerGroups.Selection);
builder.AddProbes();
builder.AddRuns();
builder.AddDefaultRun();
builder.Services.AddActiveSynthGrpc();
builder.Services.MapSelectionRefusals();

var app = builder.Build();

app.MapGrpcService<RunsApi>();
app.MapGrpcService<SelectorApi>();
app.MapGrpcService<DiagnosticsApi>();
app.MapGrpcService<ArtifactsApi>();
app.MapDefaultEndpoints();

app.Run();
