using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Messaging;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActiveSynth.Selection.Tests.Support;

/// <summary>The Selection service's run machinery (AddRuns, no gRPC, no default run) plus fake workers, in one host over a real Redis.</summary>
public static class SelectionHost
{
    public static async Task<IHost> StartAsync(string redis, string artifactsRoot, WorkerLog log)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Test" });
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis,
            ["Artifacts:Root"] = artifactsRoot,
            ["Selection:ResultPollInterval"] = "00:00:00.050",
            ["Selection:DeadLetterCheckInterval"] = "00:00:01",
        };
        foreach (var group in new[] { ConsumerGroups.Selection, ConsumerGroups.Scoring, ConsumerGroups.Teacher, ConsumerGroups.Training })
        {
            settings[$"Messaging:Consumers:{group}:PollInterval"] = "00:00:00.010";
            settings[$"Messaging:Consumers:{group}:ClaimIdleTime"] = "00:00:02";
            settings[$"Messaging:Consumers:{group}:Concurrency"] = group == ConsumerGroups.Teacher ? "8" : "1";
        }
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.Services.AddSingleton(log);
        builder.AddActiveSynthService(ConsumerGroups.Selection);
        builder.AddRuns();
        builder.AddStreamConsumer<ScoreRequest, FakeScorer>(Streams.ScoreRequests, ConsumerGroups.Scoring);
        builder.AddStreamConsumer<GenerateRequest, FakeTeacher>(Streams.GenerateRequests, ConsumerGroups.Teacher);
        builder.AddStreamConsumer<TrainRequest, FakeTrainer>(Streams.TrainRequests, ConsumerGroups.Training);
        var host = builder.Build();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StartAsync(cts.Token);
        return host;
    }

    public static async Task StopAsync(IHost host)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await host.StopAsync(cts.Token);
        host.Dispose();
    }
}
