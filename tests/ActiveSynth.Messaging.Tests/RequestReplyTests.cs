using ActiveSynth.Messaging.Requests;
using ActiveSynth.Messaging.Tests.Support;
using ActiveSynth.Testing;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActiveSynth.Messaging.Tests;

/// <summary>Request/reply over streams (a requester host and a worker host, separate, on a real redis-server).</summary>
[Collection(RedisCollection.Name)]
public sealed class RequestReplyTests(RedisServerFixture redis)
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly RequestRoute _route = new($"test:{Guid.NewGuid():N}:requests", $"test:{Guid.NewGuid():N}:replies");
    private readonly Calls _calls = new();

    [Fact(Timeout = 60_000)]
    public async Task A_request_gets_its_workers_reply_and_asking_again_answers_from_the_store()
    {
        var (requester, worker) = await StartAsync(ReplyPolicy.EveryDelivery);
        try
        {
            var client = requester.Services.GetRequiredService<RequestClient>();
            var reply = await client.RequestAsync<StringValue, StringValue>(_route, "run1", "run1/1/shout", new StringValue { Value = "hello" }, Timeout, default);
            Assert.Equal("HELLO", reply.Value);

            var again = await client.RequestAsync<StringValue, StringValue>(_route, "run1", "run1/1/shout", new StringValue { Value = "other" }, Timeout, default);
            Assert.Equal("HELLO", again.Value);
            Assert.Equal(1, _calls.Count);
            Assert.Equal("HELLO", (await client.TryGetReplyAsync<StringValue>("run1", "run1/1/shout"))?.Value);
            Assert.Null(await client.TryGetReplyAsync<StringValue>("run1", "run1/2/shout"));
        }
        finally
        {
            await TestHosts.StopAllAsync(requester, worker);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_request_published_twice_is_answered_once()
    {
        var (requester, worker) = await StartAsync(ReplyPolicy.Once);
        try
        {
            var publisher = requester.Services.GetRequiredService<IStreamPublisher>();
            await publisher.PublishAsync(_route.RequestStream, new StringValue { Value = "a" }, "run1", "run1/1/twice");
            await publisher.PublishAsync(_route.RequestStream, new StringValue { Value = "a" }, "run1", "run1/1/twice");
            // One consumer handles its entries in order: once a later request is answered, both copies have been handled.
            var client = requester.Services.GetRequiredService<RequestClient>();
            var later = await client.RequestAsync<StringValue, StringValue>(_route, "run1", "run1/2/later", new StringValue { Value = "b" }, Timeout, default);
            Assert.Equal("B", later.Value);
            Assert.Equal("A", (await client.TryGetReplyAsync<StringValue>("run1", "run1/1/twice"))?.Value);
            Assert.Equal(2, _calls.Count);
        }
        finally
        {
            await TestHosts.StopAllAsync(requester, worker);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_request_its_worker_dead_letters_fails_with_the_workers_error_instead_of_waiting_for_ever()
    {
        _calls.Fail = true;
        var (requester, worker) = await StartAsync(ReplyPolicy.EveryDelivery);
        try
        {
            var client = requester.Services.GetRequiredService<RequestClient>();
            var error = await Assert.ThrowsAsync<RequestFailedException>(() =>
                client.RequestAsync<StringValue, StringValue>(_route, "run1", "run1/1/broken", new StringValue { Value = "x" }, Timeout, default));
            Assert.Contains("dead-lettered", error.Message, StringComparison.Ordinal);
            Assert.Contains("the handler broke", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await TestHosts.StopAllAsync(requester, worker);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task A_request_nobody_answers_fails_at_its_timeout()
    {
        var requester = await StartRequesterAsync();
        try
        {
            var client = requester.Services.GetRequiredService<RequestClient>();
            var error = await Assert.ThrowsAsync<RequestFailedException>(() =>
                client.RequestAsync<StringValue, StringValue>(_route, "run1", "run1/1/lonely", new StringValue { Value = "x" }, TimeSpan.FromSeconds(1), default));
            Assert.Contains("no reply to request 'run1/1/lonely'", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            await TestHosts.StopAllAsync(requester);
        }
    }

    private async Task<(IHost Requester, IHost Worker)> StartAsync(ReplyPolicy policy)
    {
        var worker = await TestHosts.StartAsync(redis.ConnectionString, builder =>
        {
            builder.Services.AddSingleton(_calls);
            builder.AddRequestHandler<StringValue, StringValue, Shout>(_route, "workers", policy);
        }, new Dictionary<string, string?>
        {
            ["Messaging:Consumers:workers:PollInterval"] = "00:00:00.050",
            ["Messaging:Consumers:workers:ClaimIdleTime"] = "00:00:00.200",
            ["Messaging:Consumers:workers:MaxAttempts"] = "2",
        });
        return (await StartRequesterAsync(), worker);
    }

    private Task<IHost> StartRequesterAsync() => TestHosts.StartAsync(redis.ConnectionString,
        builder => builder.AddReplies<StringValue>(_route, "requester"),
        new Dictionary<string, string?>
        {
            ["Messaging:Requests:ReplyPollInterval"] = "00:00:00.100",
            ["Messaging:Requests:DeadLetterCheckInterval"] = "00:00:00.200",
        });

    private sealed class Calls
    {
        private int _count;

        public bool Fail { get; set; }

        public int Count => Volatile.Read(ref _count);

        public void Add() => Interlocked.Increment(ref _count);
    }

    private sealed class Shout(Calls calls) : IRequestHandler<StringValue, StringValue>
    {
        public Task<StringValue> HandleAsync(StringValue request, string requestId, CancellationToken ct)
        {
            calls.Add();
            return calls.Fail
                ? throw new InvalidOperationException("the handler broke")
                : Task.FromResult(new StringValue { Value = request.Value.ToUpperInvariant() });
        }
    }
}
