using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Teachers.Embedded;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ActiveSynth.Teachers.Tests;

/// <summary>
/// A real OpenAI-compatible HTTP server (Kestrel on 127.0.0.1, a free port) for the client tests. Replies come from
/// the embedded teacher (so they are valid family questions and solutions) with usage computed like an endpoint's;
/// a script of faults (429 with Retry-After, 500, hangs, malformed JSON, no usage) is played first, one per request.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    public const string Model = "fake-model";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly EmbeddedTeacherChatClient _teacher = new(TaskFamilyRegistry.Default, new EmbeddedTeacherOptions { ModelId = Model });
    private int _requests;
    private int _inFlight;
    private int _maxInFlight;

    private FakeOpenAiServer(WebApplication app) => _app = app;

    public enum Fault
    {
        RateLimited,
        ServerError,
        Hang,
        MalformedJson,
        NoUsage,
    }

    public Uri Endpoint { get; private set; } = null!;

    public int Requests => Volatile.Read(ref _requests);

    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    public TimeSpan Latency { get; set; }

    public int RetryAfterSeconds { get; set; } = 1;

    public string ConnectionString => $"Endpoint={Endpoint};Key=sk-test-secret;Model={Model}";

    public static async Task<FakeOpenAiServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeOpenAiServer(app);
        app.MapPost("/v1/chat/completions", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Endpoint = new Uri(address.TrimEnd('/') + "/v1/");
        return server;
    }

    public void Enqueue(params Fault[] faults)
    {
        foreach (var fault in faults)
        {
            _faults.Enqueue(fault);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    private async Task HandleAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        var now = Interlocked.Increment(ref _inFlight);
        int seen;
        while (now > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, seen) != seen)
        {
        }
        try
        {
            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency, context.RequestAborted);
            }
            var fault = _faults.TryDequeue(out var f) ? f : (Fault?)null;
            switch (fault)
            {
                case Fault.RateLimited:
                    context.Response.StatusCode = 429;
                    context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
                    await context.Response.WriteAsJsonAsync(new { error = new { message = "Rate limit reached", type = "rate_limit" } });
                    return;
                case Fault.ServerError:
                    context.Response.StatusCode = 500;
                    await context.Response.WriteAsJsonAsync(new { error = new { message = "boom", type = "server_error" } });
                    return;
                case Fault.Hang:
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                    return;
                case Fault.MalformedJson:
                    context.Response.ContentType = "application/json";
                    await context.Response.WriteAsync("{\"id\": \"chatcmpl-x\", \"choices\": [ {\"message\": ");
                    return;
            }
            var request = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            var messages = request!["messages"]!.AsArray()
                .Select(m => new ChatMessage(new ChatRole(m!["role"]!.GetValue<string>()), m["content"]!.GetValue<string>())).ToList();
            var options = new ChatOptions { Seed = request["seed"]?.GetValue<long>() };
            var reply = await _teacher.GetResponseAsync(messages, options, context.RequestAborted);
            var body = new JsonObject
            {
                ["id"] = $"chatcmpl-{Requests}",
                ["object"] = "chat.completion",
                ["created"] = 1_700_000_000,
                ["model"] = Model,
                ["choices"] = new JsonArray(new JsonObject
                {
                    ["index"] = 0,
                    ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = reply.Text },
                    ["finish_reason"] = "stop",
                }),
            };
            if (fault != Fault.NoUsage)
            {
                body["usage"] = new JsonObject
                {
                    ["prompt_tokens"] = reply.Usage!.InputTokenCount,
                    ["completion_tokens"] = reply.Usage.OutputTokenCount,
                    ["total_tokens"] = reply.Usage.InputTokenCount + reply.Usage.OutputTokenCount,
                };
            }
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(body.ToJsonString(JsonSerializerOptions.Default));
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }
}
