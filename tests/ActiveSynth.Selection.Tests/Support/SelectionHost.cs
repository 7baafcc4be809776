using ActiveSynth.Hosting;
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
        builder.Configuration.AddInMemoryCollection(Settings(redis, artifactsRoot));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.AddActiveSynthService(ConsumerGroups.Selection);
        builder.AddRuns();
        AddFakeWorkers(builder, log);
        var host = builder.Build();
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await host.StartAsync(cts.Token);
        return host;
    }

    /// <summary>Redis, the artifact root and fast polling for every consumer group (the fake workers' groups included).</summary>
    public static Dictionary<string, string?> Settings(string redis, string artifactsRoot)
    {
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = redis,
            ["Artifacts:Root"] = artifactsRoot,
            ["Messaging:Requests:ReplyPollInterval"] = "00:00:00.050",
            ["Messaging:Requests:DeadLetterCheckInterval"] = "00:00:01",
        };
        foreach (var group in new[] { ConsumerGroups.Selection, ConsumerGroups.Scoring, ConsumerGroups.Teacher, ConsumerGroups.Training })
        {
            settings[$"Messaging:Consumers:{group}:PollInterval"] = "00:00:00.010";
            settings[$"Messaging:Consumers:{group}:ClaimIdleTime"] = "00:00:02";
            settings[$"Messaging:Consumers:{group}:Concurrency"] = group == ConsumerGroups.Teacher ? "8" : "1";
        }
        return settings;
    }

    /// <summary>The fake scorer, teacher and trainer, consuming the request streams in the same host.</summary>
    public static void AddFakeWorkers(IHostApplicationBuilder builder, WorkerLog log)
    {
        builder.Services.AddSingleton(log);
        builder.AddStreamConsumer<ScoreRequest, FakeScorer>(Streams.ScoreRequests, ConsumerGroups.Scoring);
        builder.AddStreamConsumer<GenerateChunk, FakeTeacher>(Streams.GenerateRequests, ConsumerGroups.Teacher);
        builder.AddStreamConsumer<TrainRequest, FakeTrainer>(Streams.TrainRequests, ConsumerGroups.Training);
    }

    public static async Task StopAsync(IHost host)
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await host.StopAsync(cts.Token);
        host.Dispose();
    }
}
