using ActiveSynth.Contracts.V1;
using ActiveSynth.Selection.Tests.Support;
using ActiveSynth.Testing;
using Grpc.Core;
using Grpc.Net.Client;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Selection.Tests;

/// <summary>
/// The gRPC receive limit from ActiveSynth.ServiceDefaults (section <c>Grpc</c>): an oversize request gets ResourceExhausted,
/// creates nothing, and the service serves the next normal request; a bad limit stops the host at start.
/// </summary>
public sealed class OversizeMessageTests(RedisServerFixture redis) : IClassFixture<RedisServerFixture>, IDisposable
{
    private readonly string _artifacts = Directory.CreateTempSubdirectory("selection-oversize-").FullName;

    public void Dispose() => Directory.Delete(_artifacts, recursive: true);

    /// <summary>A valid spec padded with <paramref name="bytes"/> of label text: only its size is wrong.</summary>
    private static RunSpec Padded(int bytes)
    {
        var spec = Specs.Small();
        spec.Labels["padding"] = new string('p', bytes);
        return spec;
    }

    [Fact]
    public async Task A_request_over_the_default_4_MiB_is_resource_exhausted_and_the_next_one_is_served()
    {
        await using var host = await SelectionGrpcHost.StartAsync(redis.ConnectionString, _artifacts, new WorkerLog());
        using var channel = GrpcChannel.ForAddress(host.Address);
        var client = new Contracts.V1.Runs.RunsClient(channel);

        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.StartRunAsync(new StartRunRequest { RunId = "oversize-1", Spec = Padded(5 * 1024 * 1024) }));

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        Assert.Contains("exceeds the maximum configured message size", e.Status.Detail, StringComparison.Ordinal);
        Assert.Empty((await client.ListRunsAsync(new ListRunsRequest())).Runs);
        Assert.False(Directory.Exists(Path.Combine(_artifacts, "runs")));

        var run = await client.StartRunAsync(new StartRunRequest { RunId = "normal-1", Spec = Specs.Small() });
        Assert.Equal("normal-1", run.Id);
        Assert.Equal(["normal-1"], (await client.ListRunsAsync(new ListRunsRequest())).Runs.Select(r => r.Id));
        await client.CancelRunAsync(new CancelRunRequest { RunId = "normal-1", Reason = "test done" });
    }

    [Fact]
    public async Task The_limit_is_configurable_per_service()
    {
        var limit = new Dictionary<string, string?> { ["Grpc:MaxReceiveMessageBytes"] = "65536" };
        await using var host = await SelectionGrpcHost.StartAsync(redis.ConnectionString, _artifacts, new WorkerLog(), limit);
        using var channel = GrpcChannel.ForAddress(host.Address);
        var client = new Contracts.V1.Runs.RunsClient(channel);

        var e = await Assert.ThrowsAsync<RpcException>(async () => await client.StartRunAsync(new StartRunRequest { Spec = Padded(100_000) }));

        Assert.Equal(StatusCode.ResourceExhausted, e.StatusCode);
        // Just under the limit is not resource exhaustion: it reaches validation, which names the oversize label.
        var under = await Assert.ThrowsAsync<RpcException>(async () => await client.StartRunAsync(new StartRunRequest { Spec = Padded(60_000) }));
        Assert.Equal(StatusCode.InvalidArgument, under.StatusCode);
        Assert.Contains("spec.labels[padding]: ", under.Status.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("10")]
    [InlineData("-1")]
    [InlineData("1000000000")]
    public async Task A_limit_out_of_range_stops_the_service_at_start_naming_the_setting(string value)
    {
        var limit = new Dictionary<string, string?> { ["Grpc:MaxReceiveMessageBytes"] = value };

        var e = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            SelectionGrpcHost.StartAsync(redis.ConnectionString, _artifacts, new WorkerLog(), limit));

        Assert.Contains("Grpc:MaxReceiveMessageBytes", e.Message, StringComparison.Ordinal);
    }
}
