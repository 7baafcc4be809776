using System.Net;
using ActiveSynth.Testing;

namespace ActiveSynth.PythonTeacher.Tests;

/// <summary>
/// The Python teacher against an external Redis that speaks only TLS (<c>ssl=true</c>), trusting the deployment's CA through
/// <c>Security__TrustedCaPath</c> as the .NET services do: it answers a chunk, so every stream operation went over TLS.
/// </summary>
public sealed class PythonTeacherTlsTests
{
    [Fact(Timeout = 90_000)]
    public async Task Answers_a_chunk_over_a_tls_only_redis_trusting_the_deployment_ca()
    {
        using var certificates = TestCertificates.Create("127.0.0.1");
        await using var redis = await RedisServerProcess.StartTlsAsync(certificates, IPAddress.Loopback);
        await using var endpoint = await FakeOpenAiServer.StartAsync();
        await using var streams = await TeacherStreams.StartAsync(redis.ConnectionString, certificates.CaPath);
        await using var worker = await PythonTeacherProcess.StartAsync(redis.ConnectionString, endpoint.ConnectionString,
            new Dictionary<string, string?> { ["Security__TrustedCaPath"] = certificates.CaPath });

        await TeacherChecks.AnswersAChunkWithValidSamplesAsync(streams, endpoint);
        Assert.False(worker.HasExited, worker.Output);
    }
}
