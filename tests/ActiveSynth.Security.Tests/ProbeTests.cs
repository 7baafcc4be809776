using System.Security.Cryptography;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Testing;
using Google.Protobuf;
using Grpc.Core;
using Xunit.Abstractions;

namespace ActiveSynth.Security.Tests;

/// <summary>
/// What a stranger, a worker and an operator can do to a keyed deployment (Selection over HTTPS, real process, real sockets): every
/// probe is refused with a status and a reason that names what is missing, and the artifact folder and the run list stay as they were.
/// </summary>
public sealed class ProbeTests(ProbeTests.Deployment fixture, ITestOutputHelper output) : IClassFixture<ProbeTests.Deployment>
{
    public sealed class Deployment : IAsyncLifetime
    {
        public SecureDeployment Secure { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            Secure = await SecureDeployment.StartAsync("127.0.0.1", cts.Token);
        }

        public async Task DisposeAsync() => await Secure.DisposeAsync();
    }

    private SecureDeployment Secure => fixture.Secure;

    [Fact]
    public async Task Every_probe_is_refused_with_a_named_reason_and_writes_nothing()
    {
        var files = Secure.Files();
        var runId = $"probe-{Guid.NewGuid():N}"[..16];
        var checkpoint = $"runs/{runId}/checkpoints/r1/checkpoint.json";

        await Refused("anonymous StartRun", StatusCode.Unauthenticated, "no deployment key", () => StartRun(null, runId));
        await Refused("StartRun with an unknown key", StatusCode.Unauthenticated, "not one of this deployment's keys", () => StartRun(SecureDeployment.NewKey(), runId));
        await Refused("StartRun with the worker key", StatusCode.PermissionDenied, "the worker key may not call /activesynth.v1.Runs/StartRun", () => StartRun(Secure.WorkerKey, runId));
        await Refused("anonymous checkpoint upload", StatusCode.Unauthenticated, "no deployment key", () => Upload(null, checkpoint));
        await Refused("checkpoint upload with the operator key (planting)", StatusCode.PermissionDenied, "the operator key may not call /activesynth.v1.Artifacts/Upload",
            () => Upload(Secure.OperatorKey, checkpoint));
        await Refused("upload of a seed file with the worker key", StatusCode.PermissionDenied, "is not a path workers write", () => Upload(Secure.WorkerKey, "seeds/planted.jsonl"));
        await Refused("artifact download with the operator key", StatusCode.PermissionDenied, "the operator key may not call /activesynth.v1.Artifacts/Download",
            () => Download(Secure.OperatorKey, "seeds/anything.jsonl"));

        Assert.Equal(files, Secure.Files());
        using var channel = Secure.Channel(Secure.OperatorKey);
        var listed = await new Runs.RunsClient(channel).ListRunsAsync(new ListRunsRequest());
        Assert.DoesNotContain(listed.Runs, r => r.Id == runId);
    }

    [Fact]
    public async Task The_right_role_gets_in_so_the_refusals_are_about_the_key()
    {
        using var channel = Secure.Channel(Secure.OperatorKey);
        await new Runs.RunsClient(channel).ListRunsAsync(new ListRunsRequest());

        var path = $"runs/ok-{Guid.NewGuid():N}/checkpoints/r1/model.safetensors";
        var stat = await Upload(Secure.WorkerKey, path);
        Assert.True(stat.Exists);
        Assert.True(File.Exists(Path.Combine(Secure.ArtifactsRoot, path)));
    }

    [Fact]
    public void A_clear_text_channel_past_loopback_never_carries_a_key()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => new Contracts.Security.DeploymentCredential(Secure.OperatorKey).Open("http://10.1.2.3:5000"));
        Assert.Contains("clear text", refused.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://0.0.0.0:{0}", "", "Security:Keys:Operator")]
    [InlineData("http://0.0.0.0:{0}", "keys", "in clear text")]
    public async Task A_service_asked_to_listen_past_loopback_without_keys_or_tls_does_not_start(string url, string keys, string named)
    {
        var environment = new Dictionary<string, string>
        {
            ["ConnectionStrings__redis"] = Secure.Redis.ConnectionString,
            ["ASPNETCORE_URLS"] = string.Format(System.Globalization.CultureInfo.InvariantCulture, url, 0),
            ["DOTNET_ENVIRONMENT"] = "Production",
        };
        if (keys == "keys")
        {
            environment["Security__Keys__Operator"] = SecureDeployment.NewKey();
        }
        using var teacher = ServiceProcess.Start("ActiveSynth.Teacher", environment);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (!teacher.HasExited)
        {
            await Task.Delay(200, cts.Token);
        }
        output.WriteLine(teacher.Output);
        Assert.NotEqual(0, teacher.ExitCode);
        Assert.Contains(named, teacher.Output, StringComparison.Ordinal);
    }

    private async Task Refused(string probe, StatusCode status, string reason, Func<Task> call)
    {
        var refused = await Assert.ThrowsAsync<RpcException>(call);
        output.WriteLine($"| {probe} | {refused.StatusCode}: {refused.Status.Detail} |");
        Assert.Equal(status, refused.StatusCode);
        Assert.Contains(reason, refused.Status.Detail, StringComparison.Ordinal);
    }

    private async Task StartRun(string? key, string runId)
    {
        using var channel = Secure.Channel(key);
        await new Runs.RunsClient(channel).StartRunAsync(new StartRunRequest { RunId = runId, Spec = EmbeddedRecipe.Spec("random", randomSeed: 1, samplesPerRound: 16, maxRounds: 1) });
    }

    private async Task<ArtifactStat> Upload(string? key, string path)
    {
        using var channel = Secure.Channel(key);
        using var call = new Artifacts.ArtifactsClient(channel).Upload();
        byte[] bytes = [1, 2, 3];
        await call.RequestStream.WriteAsync(new ArtifactUpload
        {
            Header = new ArtifactStat { Path = path, Sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes)), SizeBytes = bytes.Length },
        });
        try
        {
            await call.RequestStream.WriteAsync(new ArtifactUpload { Data = ByteString.CopyFrom(bytes) });
            await call.RequestStream.CompleteAsync();
        }
        catch (Exception ex) when (ex is RpcException or InvalidOperationException)
        {
            // The server refused before reading the body: the status below says why.
        }
        return await call.ResponseAsync;
    }

    private async Task Download(string? key, string path)
    {
        using var channel = Secure.Channel(key);
        using var call = new Artifacts.ArtifactsClient(channel).Download(new ArtifactPath { Path = path });
        await call.ResponseStream.MoveNext();
    }
}
