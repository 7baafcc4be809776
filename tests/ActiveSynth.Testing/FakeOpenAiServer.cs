using System.Collections.Concurrent;
using System.Globalization;
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

namespace ActiveSynth.Testing;

/// <summary>
/// A real OpenAI-compatible chat-completions server (Kestrel on 127.0.0.1, a free port) for the client tests and the deployment's
/// Teacher service. Replies come from the embedded teacher, so they are valid questions and solutions of the seed's family, with
/// usage like an endpoint's. Requests without the instance's <c>Authorization: Bearer</c> key are answered 401. Faults are played
/// one per request from a queue (429 with Retry-After, 500, a hang, malformed JSON, a reply without usage, 401), or on every request
/// while <see cref="PermanentFault"/> is set. It bills like a provider: a completion is billed once its full body has been written
/// (or, with <see cref="BillAbandonedCalls"/>, once generated, even if the client is gone), and it counts how often the same call
/// (the request's seed, unique per call) was billed.
/// </summary>
public sealed class FakeOpenAiServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<Fault> _faults = new();
    private readonly ConcurrentDictionary<Fault, int> _faultsServed = new();
    private readonly ConcurrentDictionary<long, int> _billedBySeed = new();
    private readonly ConcurrentDictionary<string, int> _requestedModels = new(StringComparer.Ordinal);
    private readonly EmbeddedTeacherChatClient _teacher;
    private long _billedCompletions;
    private long _billedPromptTokens;
    private long _billedCompletionTokens;
    private int _requests;
    private int _unauthorized;
    private int _uncapped;
    private int _inFlight;
    private int _maxInFlight;
    private long _abandoned;

    private FakeOpenAiServer(WebApplication app, string model, string key)
    {
        _app = app;
        Model = model;
        Key = key;
        _teacher = new(TaskFamilyRegistry.Default, new EmbeddedTeacherOptions { ModelId = model });
    }

    public enum Fault
    {
        RateLimited,
        ServerError,
        Hang,
        MalformedJson,

        /// <summary>A valid reply without a <c>usage</c> object.</summary>
        NoUsage,

        /// <summary>401: the key was revoked.</summary>
        KeyRevoked,
    }

    /// <summary>The model name the server answers as.</summary>
    public string Model { get; }

    /// <summary>The API key clients must send; a secret that must never show in logs, traces or reports.</summary>
    public string Key { get; }

    public Uri Endpoint { get; private set; } = null!;

    public string ConnectionString => $"Endpoint={Endpoint};Key={Key};Model={Model}";

    /// <summary>While set, every request gets this fault (an endpoint that is down, hangs, answers garbage or refuses the key for good).</summary>
    public Fault? PermanentFault { get; set; }

    /// <summary>Waited before each request is answered.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>The <c>Retry-After</c> of a 429.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>
    /// When above 0, each completion also bills this many hidden reasoning tokens, up to the request's completion cap
    /// (<c>max_completion_tokens</c> or <c>max_tokens</c>) as a reasoning model does; the visible reply stays the same.
    /// </summary>
    public int HiddenReasoningTokens { get; set; }

    /// <summary>
    /// The worst case of a provider: a completion is generated and billed even when the client disconnects while waiting for
    /// it (otherwise a disconnect cancels it unbilled, like a streamed completion whose reader went away).
    /// </summary>
    public bool BillAbandonedCalls { get; set; }

    public int Requests => Volatile.Read(ref _requests);

    /// <summary>Requests being answered now.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The most requests that were being answered at once.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Requests without the right <c>Authorization: Bearer</c> key (answered 401).</summary>
    public int Unauthorized => Volatile.Read(ref _unauthorized);

    /// <summary>Billed completions whose request carried no completion cap.</summary>
    public int Uncapped => Volatile.Read(ref _uncapped);

    /// <summary>Faults still queued (not yet served).</summary>
    public int FaultsQueued => _faults.Count;

    /// <summary>The "model" of every authorised request, with how many asked for it: which model a client really sent.</summary>
    public IReadOnlyDictionary<string, int> RequestedModels => _requestedModels;

    /// <summary>Starts a server answering as <paramref name="model"/> that accepts <paramref name="key"/> (a fresh one if null).</summary>
    public static async Task<FakeOpenAiServer> StartAsync(string model = "fake-model", string? key = null)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeOpenAiServer(app, model, key ?? $"sk-test-{Guid.NewGuid():N}");
        app.MapPost("/v1/chat/completions", server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Endpoint = new Uri(address.TrimEnd('/') + "/v1");
        return server;
    }

    public void Enqueue(params Fault[] faults)
    {
        foreach (var fault in faults)
        {
            _faults.Enqueue(fault);
        }
    }

    public void Enqueue(Fault fault, int count)
    {
        for (var i = 0; i < count; i++)
        {
            _faults.Enqueue(fault);
        }
    }

    public void ClearFaults() => _faults.Clear();

    public Billing Snapshot() => new(
        Interlocked.Read(ref _billedCompletions),
        Interlocked.Read(ref _billedPromptTokens),
        Interlocked.Read(ref _billedCompletionTokens),
        _billedBySeed.Values.Sum(n => n - 1),
        _faultsServed.ToDictionary(p => p.Key, p => p.Value),
        Interlocked.Read(ref _abandoned));

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
            // The whole request is received before the model "works" on it, as a provider does.
            var request = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            if (Latency > TimeSpan.Zero)
            {
                await Task.Delay(Latency, BillAbandonedCalls ? CancellationToken.None : context.RequestAborted);
            }
            await AnswerAsync(context, request!);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    private async Task AnswerAsync(HttpContext context, JsonNode request)
    {
        if (context.Request.Headers.Authorization.ToString() != $"Bearer {Key}")
        {
            Interlocked.Increment(ref _unauthorized);
            context.Response.StatusCode = 401;
            await context.Response.WriteAsJsonAsync(new { error = new { message = "Incorrect API key provided", type = "invalid_request_error" } });
            return;
        }
        _requestedModels.AddOrUpdate(request["model"]?.GetValue<string>() ?? "", 1, (_, n) => n + 1);
        var fault = PermanentFault ?? (_faults.TryDequeue(out var queued) ? queued : null);
        if (fault is { } f)
        {
            _faultsServed.AddOrUpdate(f, 1, (_, n) => n + 1);
            if (f != Fault.NoUsage)
            {
                await ServeFaultAsync(context, f);
                return;
            }
        }
        var messages = request["messages"]!.AsArray()
            .Select(m => new ChatMessage(new ChatRole(m!["role"]!.GetValue<string>()), m["content"]!.GetValue<string>())).ToList();
        var seed = request["seed"]?.GetValue<long>();
        var reply = await _teacher.GetResponseAsync(messages, new ChatOptions { Seed = seed }, BillAbandonedCalls ? CancellationToken.None : context.RequestAborted);
        var prompt = reply.Usage!.InputTokenCount ?? 0;
        var completion = reply.Usage.OutputTokenCount ?? 0;
        var text = Gsm8kFakeAnswers.Reply(string.Join("\n", messages.Select(m => m.Text)), seed) ?? reply.Text;
        completion = text == reply.Text ? completion : Math.Max(1, text.Length / 4);
        var cap = request["max_completion_tokens"]?.GetValue<long>() ?? request["max_tokens"]?.GetValue<long>();
        if (HiddenReasoningTokens > 0)
        {
            completion = Math.Max(completion, Math.Min(completion + HiddenReasoningTokens, cap ?? long.MaxValue));
        }
        var body = new JsonObject
        {
            ["id"] = $"chatcmpl-{Requests}",
            ["object"] = "chat.completion",
            ["created"] = 1_700_000_000,
            ["model"] = Model,
            ["choices"] = new JsonArray(new JsonObject
            {
                ["index"] = 0,
                ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = text },
                ["finish_reason"] = "stop",
            }),
        };
        if (fault != Fault.NoUsage)
        {
            body["usage"] = new JsonObject { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion };
        }
        context.Response.ContentType = "application/json";
        if (BillAbandonedCalls)
        {
            Bill(prompt, completion, seed, cap); // generated, so billed, whether or not anybody receives it
        }
        try
        {
            context.RequestAborted.ThrowIfCancellationRequested();
            await context.Response.WriteAsync(body.ToJsonString(JsonSerializerOptions.Default), context.RequestAborted);
            await context.Response.CompleteAsync();
        }
        catch (Exception ex) when (BillAbandonedCalls && ex is IOException or OperationCanceledException or InvalidOperationException)
        {
            Interlocked.Increment(ref _abandoned); // the client went away before the reply reached it; it stays billed
            return;
        }
        if (!BillAbandonedCalls)
        {
            Bill(prompt, completion, seed, cap);
        }
    }

    private void Bill(long prompt, long completion, long? seed, long? cap)
    {
        Interlocked.Increment(ref _billedCompletions);
        Interlocked.Add(ref _billedPromptTokens, prompt);
        Interlocked.Add(ref _billedCompletionTokens, completion);
        _billedBySeed.AddOrUpdate(seed ?? 0, 1, (_, n) => n + 1);
        if (cap is null)
        {
            Interlocked.Increment(ref _uncapped);
        }
    }

    private async Task ServeFaultAsync(HttpContext context, Fault fault)
    {
        switch (fault)
        {
            case Fault.RateLimited:
                context.Response.StatusCode = 429;
                context.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                await context.Response.WriteAsJsonAsync(new { error = new { message = "Rate limit reached", type = "rate_limit" } });
                break;
            case Fault.ServerError:
                context.Response.StatusCode = 500;
                await context.Response.WriteAsJsonAsync(new { error = new { message = "upstream failure", type = "server_error" } });
                break;
            case Fault.Hang:
                try
                {
                    await Task.Delay(Timeout.Infinite, context.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                    // The client gave up (its attempt timeout): nothing is billed.
                }
                break;
            case Fault.KeyRevoked:
                context.Response.StatusCode = 401;
                await context.Response.WriteAsJsonAsync(new { error = new { message = "The API key was revoked", type = "invalid_request_error" } });
                break;
            default:
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync("{\"id\": \"chatcmpl-x\", \"choices\": [ {\"message\": ");
                break;
        }
    }

    /// <summary>What the server billed so far and which faults it served.</summary>
    /// <param name="Abandoned">Completions billed whose client had gone before the reply was delivered (with <see cref="BillAbandonedCalls"/>).</param>
    public sealed record Billing(long Completions, long PromptTokens, long CompletionTokens, int ChargedTwice, IReadOnlyDictionary<Fault, int> FaultsServed,
        long Abandoned)
    {
        public long Tokens => PromptTokens + CompletionTokens;

        public int Faults => FaultsServed.Values.Sum();

        public Billing Since(Billing before) => new(Completions - before.Completions, PromptTokens - before.PromptTokens,
            CompletionTokens - before.CompletionTokens, ChargedTwice - before.ChargedTwice,
            FaultsServed.ToDictionary(p => p.Key, p => p.Value - before.FaultsServed.GetValueOrDefault(p.Key)), Abandoned - before.Abandoned);

        public override string ToString() => string.Create(CultureInfo.InvariantCulture,
            $"{Completions} completions, {PromptTokens}+{CompletionTokens} tokens, charged twice {ChargedTwice}, abandoned {Abandoned}, faults {string.Join(" ", FaultsServed.Select(p => $"{p.Key}={p.Value}"))}");
    }
}
