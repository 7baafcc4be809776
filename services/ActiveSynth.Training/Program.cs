using ActiveSynth.Hosting.Grpc;
using ActiveSynth.Hosting;
using ActiveSynth.Contracts;
using ActiveSynth.Training;
using ActiveSynth.Training.Grpc;
using ActiveSynth.Workers.Training;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.UseGrpcOnlyKestrel();
builder.AddActiveSynthService(ConsumerGroups.Training);
builder.AddTraining();
builder.Services.AddActiveSynthGrpc();

var app = builder.Build();

app.MapGrpcService<TrainerApi>();
app.MapDefaultEndpoints();

app.Run();
