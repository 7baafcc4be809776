using ActiveSynth.Testing;
using ActiveSynth.Teachers.Caching;
using ActiveSynth.Teachers.Embedded;
using ActiveSynth.Teachers.OpenAI;
using ActiveSynth.Teachers.Resilience;
using ActiveSynth.Workers.Teacher;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using MsOptions = Microsoft.Extensions.Options.Options;

namespace ActiveSynth.Teacher.Tests;

/// <summary>
/// A teacher endpoint given with credentials in its URL (a gateway's basic auth) never reaches a log: what the Teacher service
/// logs of its endpoint, captured as a sink receives it, shows scheme, host and port only.
/// </summary>
public sealed class EndpointRedactionTests
{
    private const string Connection = "Endpoint=https://alice:s3cret-pw@llm.example:8443/v1?api-key=query-secret;Key=sk-live-key;Model=m-1";

    [Fact]
    public void The_teacher_service_logs_its_endpoint_without_user_password_query_or_key()
    {
        using var capture = new LogCapture();
        using var factory = capture.Factory();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["ConnectionStrings:teacher"] = Connection }).Build();

        using var clients = new TeacherClients(MsOptions.Create(new TeacherServiceOptions()), MsOptions.Create(new ResponseCacheOptions()),
            MsOptions.Create(new RetryOptions()), MsOptions.Create(new RateLimitOptions()), MsOptions.Create(new EmbeddedTeacherOptions()),
            configuration, TeacherResponseCache.InMemory().Store, new InMemoryCallStartMarks(), factory.CreateLogger<TeacherClients>());

        var ready = Assert.Single(capture.Entries, e => e.EventId == 5001);
        Assert.Contains("OpenAI-compatible endpoint https://llm.example:8443,", ready.Text, StringComparison.Ordinal);
        Assert.Equal("https://llm.example:8443", clients.OpenAiEndpoint);
        Assert.All(capture.Texts, text => AssertNoSecret(text));
    }

    [Fact]
    public void The_connection_prints_without_its_credentials()
    {
        var text = TeacherConnection.Parse(Connection).ToString();

        Assert.Equal("Endpoint=https://***@llm.example:8443/v1?***;Model=m-1;Key=***", text);
        AssertNoSecret(text);
    }

    private static void AssertNoSecret(string text)
    {
        foreach (var secret in new[] { "alice", "s3cret-pw", "query-secret", "sk-live-key" })
        {
            Assert.DoesNotContain(secret, text, StringComparison.Ordinal);
        }
    }
}
