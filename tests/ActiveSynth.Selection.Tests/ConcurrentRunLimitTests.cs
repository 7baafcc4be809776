using ActiveSynth.Contracts.V1;
using ActiveSynth.Selection.Tests.Support;
using ActiveSynth.Testing;
using Grpc.Core;
using Grpc.Net.Client;

namespace ActiveSynth.Selection.Tests;

/// <summary>
/// <c>Selection:MaxConcurrentRuns</c> (2 here) over a real socket: a third StartRun, or a ResumeRun while two runs hold every place,
/// is ResourceExhausted naming the setting and stores nothing; a place freed by a cancel is taken by the next start.
/// </summary>
public sealed class ConcurrentRunLimitTests : IAsyncLifetime
{
    private readonly string _artifacts = Directory.CreateTempSubdirectory("concurrent-runs-").FullName;
    // Training never answers while the test looks: the runs stay running.
    private readonly WorkerLog _log = new() { TrainDelay = TimeSpan.FromMinutes(5) };
    private RedisServerProcess? _redis;
    private SelectionGrpcHost? _host;
    private GrpcChannel? _channel;
    private Contracts.V1.Runs.RunsClient _runs = null!;

    public async Task InitializeAsync()
    {
        _redis = await RedisServerProcess.StartAsync();
        _host = await SelectionGrpcHost.StartAsync(_redis.ConnectionString, _artifacts, _log,
            new Dictionary<string, string?> { ["Selection:MaxConcurrentRuns"] = "2", ["Selection:CancelWait"] = "00:00:05" });
        _channel = GrpcChannel.ForAddress(_host.Address);
        _runs = new Contracts.V1.Runs.RunsClient(_channel);
    }

    [Fact]
    public async Task A_run_past_the_limit_is_refused_naming_the_setting_until_a_place_is_free()
    {
        await _runs.StartRunAsync(new StartRunRequest { RunId = "first", Spec = Specs.Small() });
        await _runs.StartRunAsync(new StartRunRequest { RunId = "second", Spec = Specs.Small() });

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await _runs.StartRunAsync(new StartRunRequest { RunId = "third", Spec = Specs.Small() }));

        Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
        Assert.Contains("Selection:MaxConcurrentRuns = 2", refused.Status.Detail, StringComparison.Ordinal);
        Assert.Contains("2 runs are pending or running", refused.Status.Detail, StringComparison.Ordinal);
        var missing = await Assert.ThrowsAsync<RpcException>(async () => await _runs.GetRunAsync(new GetRunRequest { RunId = "third" }));
        Assert.Equal(StatusCode.NotFound, missing.StatusCode);
        Assert.False(Directory.Exists(Path.Combine(_artifacts, "runs", "third")));
        // An id already taken is that run, not a new one: it needs no place.
        Assert.Equal("first", (await _runs.StartRunAsync(new StartRunRequest { RunId = "first", Spec = Specs.Small() })).Id);

        // CancelRun answers once the run's loop has stopped (within Selection:CancelWait), and with it its place is free.
        Assert.Equal(RunState.Cancelled, (await _runs.CancelRunAsync(new CancelRunRequest { RunId = "first", Reason = "test" })).State);
        await _runs.StartRunAsync(new StartRunRequest { RunId = "third", Spec = Specs.Small() });

        // Two hold every place again: the cancelled run cannot be resumed now.
        var resume = await Assert.ThrowsAsync<RpcException>(async () => await _runs.ResumeRunAsync(new ResumeRunRequest { RunId = "first" }));
        Assert.Equal(StatusCode.ResourceExhausted, resume.StatusCode);
        Assert.Contains("Selection:MaxConcurrentRuns", resume.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(RunState.Cancelled, (await _runs.GetRunAsync(new GetRunRequest { RunId = "first" })).State);
    }

    public async Task DisposeAsync()
    {
        _channel?.Dispose();
        if (_host is not null)
        {
            await _host.DisposeAsync();
        }
        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }
        Directory.Delete(_artifacts, recursive: true);
    }
}
