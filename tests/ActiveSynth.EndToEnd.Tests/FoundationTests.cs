using System.Text.Json;
using ActiveSynth.Contracts.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;
using Xunit.Abstractions;

namespace ActiveSynth.EndToEnd.Tests;

[Collection(AppHostCollection.Name)]
public sealed class FoundationTests(AppHostFixture fixture, ITestOutputHelper output)
{
    public static TheoryData<string, string> ServiceApis => new()
    {
        { "selection", "activesynth.v1.Runs" },
        { "selection", "activesynth.v1.Selector" },
        { "selection", "activesynth.v1.Diagnostics" },
        { "teacher", "activesynth.v1.Teacher" },
        { "scoring", "activesynth.v1.Scorer" },
        { "training", "activesynth.v1.Trainer" },
    };

    [Theory]
    [MemberData(nameof(ServiceApis))]
    public async Task Each_service_is_serving_over_grpc_and_exposes_its_api(string service, string api)
    {
        output.WriteLine($"Redis and all services healthy {fixture.SecondsToHealthy:0.0} s after start");
        var channel = fixture.Channel(service);

        var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest(), deadline: Deadline());
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, health.Status);

        using var reflection = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo(deadline: Deadline());
        await reflection.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        await reflection.RequestStream.CompleteAsync();
        Assert.True(await reflection.ResponseStream.MoveNext(CancellationToken.None));
        var served = reflection.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains(api, served);
    }

    [Fact]
    public async Task A_probe_reaches_every_worker_through_redis_and_returns_in_one_trace()
    {
        var diagnostics = new Diagnostics.DiagnosticsClient(fixture.Channel("selection"));
        var report = await diagnostics.ProbeAsync(
            new ProbeRequest { Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(30)) }, deadline: Deadline(60));

        Assert.Empty(report.Missing);
        Assert.Equal(["scoring", "teacher", "training"], report.Replies.Select(r => r.Service).Order());
        Assert.False(string.IsNullOrEmpty(report.TraceId));
        Assert.All(report.Replies, r => Assert.Equal(report.TraceId, r.TraceId));

        var services = await WaitForTraceServicesAsync(report.TraceId, ["selection", "teacher", "scoring", "training"], TimeSpan.FromSeconds(45));
        output.WriteLine($"trace {report.TraceId} holds spans of: {string.Join(", ", services)}");
        Assert.Contains("selection", services);
        Assert.Contains("teacher", services);
    }

    [Fact]
    public async Task A_probe_with_an_unknown_target_is_rejected_naming_the_field()
    {
        var diagnostics = new Diagnostics.DiagnosticsClient(fixture.Channel("selection"));
        var request = new ProbeRequest { Targets = { "teacher", "nonsense" } };

        var error = await Assert.ThrowsAsync<RpcException>(() => diagnostics.ProbeAsync(request, deadline: Deadline()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("targets[1]", error.Status.Detail);
    }

    /// <summary>Polls the dashboard's telemetry API until the trace holds spans of every expected service (telemetry is exported in batches).</summary>
    private async Task<HashSet<string>> WaitForTraceServicesAsync(string traceId, string[] expected, TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = fixture.DashboardUrl };
        http.DefaultRequestHeaders.Add("x-api-key", fixture.DashboardApiKey);
        var deadline = DateTime.UtcNow + timeout;
        var services = new HashSet<string>();
        while (DateTime.UtcNow < deadline && !expected.All(services.Contains))
        {
            await Task.Delay(TimeSpan.FromSeconds(1));
            using var response = await http.GetAsync($"/api/telemetry/traces/{traceId}");
            if (response.IsSuccessStatusCode)
            {
                services = ServicesWithSpans(await response.Content.ReadAsStringAsync());
            }
        }
        return services;
    }

    private static HashSet<string> ServicesWithSpans(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var services = new HashSet<string>();
        if (!doc.RootElement.TryGetProperty("data", out var data) || !data.TryGetProperty("resourceSpans", out var resourceSpans))
        {
            return services;
        }
        foreach (var resourceSpan in resourceSpans.EnumerateArray())
        {
            var hasSpans = resourceSpan.GetProperty("scopeSpans").EnumerateArray().Any(s => s.GetProperty("spans").GetArrayLength() > 0);
            var name = resourceSpan.GetProperty("resource").GetProperty("attributes").EnumerateArray()
                .Where(a => a.GetProperty("key").GetString() == "service.name")
                .Select(a => a.GetProperty("value").GetProperty("stringValue").GetString())
                .FirstOrDefault();
            if (hasSpans && name is not null)
            {
                services.Add(name);
            }
        }
        return services;
    }

    private static DateTime Deadline(int seconds = 15) => DateTime.UtcNow.AddSeconds(seconds);
}
