using System.Diagnostics;
using ActiveSynth.Teachers.Caching;
using ActiveSynth.Teachers.Generation;
using ActiveSynth.Teachers.Resilience;
using ActiveSynth.Teachers.Usage;
using ActiveSynth.Teachers.Validation;
using ActiveSynth.Testing;
using Microsoft.Extensions.Caching.Distributed;
using F = ActiveSynth.Testing.FakeOpenAiServer.Fault;

namespace ActiveSynth.Teachers.Tests;

/// <summary>The OpenAI-compatible client through the whole pipeline, against a real HTTP server on 127.0.0.1.</summary>
public sealed class OpenAiTeacherTests : IAsyncLifetime
{
    private FakeOpenAiServer _server = null!;

    public async Task InitializeAsync() => _server = await TestTeachers.StartServerAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static GenerationRequest Request(string sampleId = "s-1", string family = "arith") =>
        new("run", TestTeachers.Seed(family, 3), sampleId, TestTeachers.Settings());

    private async Task<GenerationOutcome> GenerateAsync(GenerationRequest? request = null, TeacherResponseCache? cache = null, RetryOptions? retry = null) =>
        await TestTeachers.Generator(TestTeachers.OpenAi(_server, cache, retry)).GenerateAsync(request ?? Request(), default);

    [Fact]
    public async Task Usage_and_cost_come_from_the_endpoints_usage()
    {
        var outcome = await GenerateAsync();
        Assert.NotNull(outcome.Sample);
        Assert.Equal(2, _server.Requests);
        var usage = outcome.Usage;
        Assert.Equal(2, usage.Calls);
        Assert.False(usage.Estimated);
        Assert.False(usage.Cached);
        Assert.Equal(0, usage.Retries);
        Assert.True(usage.PromptTokens > 100);
        Assert.Equal(TestTeachers.Model, usage.Model);
        Assert.Equal((usage.PromptTokens * 0.5 / 1000) + (usage.CompletionTokens * 1.5 / 1000), usage.CostUsd, 9);
    }

    [Fact]
    public async Task A_429_with_retry_after_is_waited_out_and_not_paid_twice()
    {
        var clean = await GenerateAsync();
        _server.Enqueue(F.RateLimited);
        var watch = Stopwatch.StartNew();
        var retried = await GenerateAsync();
        Assert.True(watch.Elapsed >= TimeSpan.FromSeconds(0.95), $"Retry-After: 1 must be honoured (took {watch.Elapsed})");
        Assert.Equal(clean.Sample, retried.Sample);
        Assert.Equal(1, retried.Usage.Retries);
        Assert.Equal(clean.Usage.TotalTokens, retried.Usage.TotalTokens);
        Assert.Equal(clean.Usage.CostUsd, retried.Usage.CostUsd, 12);
        Assert.Equal(5, _server.Requests);
    }

    [Fact]
    public async Task Server_errors_and_hangs_are_retried_and_charged_once()
    {
        var clean = await GenerateAsync();
        _server.Enqueue(F.ServerError, F.Hang, F.ServerError);
        // The hang costs one attempt timeout; it must stay well above a real reply's time on a loaded
        // 2-core CI machine, or a slow good reply is timed out as well and the sample is dropped.
        var retry = TestTeachers.FastRetry();
        retry.AttemptTimeout = TimeSpan.FromSeconds(3);
        var retried = await GenerateAsync(retry: retry);
        Assert.True(retried.Sample is not null, $"dropped: {retried.Drop}");
        Assert.Equal(clean.Sample, retried.Sample);
        Assert.Equal(3, retried.Usage.Retries);
        Assert.Equal(clean.Usage.TotalTokens, retried.Usage.TotalTokens);
        Assert.Equal(2 + 2 + 3, _server.Requests);
    }

    [Fact]
    public async Task Persistent_failures_become_teacher_error_drops_that_cost_nothing()
    {
        _server.Enqueue(F.ServerError, F.ServerError, F.ServerError);
        var outcome = await GenerateAsync(retry: TestTeachers.FastRetry(attempts: 3));
        Assert.Null(outcome.Sample);
        Assert.Equal(SampleDropReason.TeacherError, outcome.Drop!.Reason);
        Assert.Equal("http 500", outcome.Drop.Detail);
        Assert.Equal(2, outcome.Usage.Retries);
        Assert.Equal(0, outcome.Usage.TotalTokens);
        Assert.Equal(0, outcome.Usage.CostUsd);
        Assert.Equal(3, _server.Requests);
    }

    [Fact]
    public async Task Malformed_json_is_a_teacher_error_without_a_retry()
    {
        _server.Enqueue(F.MalformedJson);
        var outcome = await GenerateAsync();
        Assert.Equal(SampleDropReason.TeacherError, outcome.Drop!.Reason);
        Assert.Equal("malformed response", outcome.Drop.Detail);
        Assert.DoesNotContain("sk-test", outcome.Drop.Detail, StringComparison.Ordinal);
        Assert.Equal(1, _server.Requests);
        Assert.Equal(0, outcome.Usage.CostUsd);
    }

    [Fact]
    public async Task Missing_usage_is_estimated_and_flagged()
    {
        _server.Enqueue(F.NoUsage);
        var outcome = await GenerateAsync();
        Assert.NotNull(outcome.Sample);
        Assert.True(outcome.Usage.Estimated);
        Assert.True(outcome.Usage.PromptTokens > 100);
    }

    [Fact]
    public async Task A_second_run_hits_the_cache_bills_nothing_and_costs_what_the_first_did()
    {
        var cache = TeacherResponseCache.InMemory();
        var first = new List<GenerationOutcome>();
        for (var i = 0; i < 5; i++)
        {
            first.Add(await GenerateAsync(Request($"s-{i}"), cache));
        }
        var paidRequests = _server.Requests;
        Assert.Equal(10, paidRequests);
        Assert.All(first, o => Assert.True(o.Usage.CostUsd > 0));
        Assert.All(first, o => Assert.Equal(new BilledUsage(o.Usage.TotalTokens, o.Usage.CostUsd, 2), o.Usage.Billed));

        for (var i = 0; i < 5; i++)
        {
            var again = await GenerateAsync(Request($"s-{i}"), cache);
            Assert.Equal(first[i].Sample, again.Sample);
            Assert.True(again.Usage.Cached);
            Assert.Equal(2, again.Usage.CacheHits);
            // A budget is charged what the sample cost when it was paid for; the endpoint is paid nothing.
            Assert.Equal((first[i].Usage.PromptTokens, first[i].Usage.CompletionTokens, first[i].Usage.CostUsd, first[i].Usage.Calls),
                (again.Usage.PromptTokens, again.Usage.CompletionTokens, again.Usage.CostUsd, again.Usage.Calls));
            Assert.Equal(BilledUsage.None, again.Usage.Billed);
        }
        Assert.Equal(paidRequests, _server.Requests);

        var bypass = Request("s-0") with { Settings = TestTeachers.Settings() with { DisableCache = true } };
        var paidAgain = await GenerateAsync(bypass, cache);
        Assert.False(paidAgain.Usage.Cached);
        Assert.True(paidAgain.Usage.CostUsd > 0);
        Assert.Equal(paidRequests + 2, _server.Requests);
    }

    [Fact]
    public async Task A_call_redone_after_its_process_died_mid_call_is_billed_for_both_attempts_and_costs_the_budget_one()
    {
        var shared = TeacherResponseCache.InMemory();
        // The first replica gets the question's reply from the endpoint and dies before storing it.
        var died = await GenerateAsync(cache: DiesBeforeStoring(shared));
        Assert.Null(died.Sample);
        var billedByTheDead = _server.Snapshot();
        Assert.Equal(1, billedByTheDead.Completions);

        var redone = await GenerateAsync(cache: shared);

        Assert.NotNull(redone.Sample);
        var billed = _server.Snapshot();
        Assert.Equal(1, billed.ChargedTwice); // the question, paid by the dead replica and again
        // What was paid, the abandoned attempt included, is what is recorded as billed...
        Assert.Equal(3, redone.Usage.Billed.Calls);
        Assert.Equal(billed.Tokens, redone.Usage.Billed.Tokens);
        // ...while the budget is charged what the sample costs: each of its two calls once.
        Assert.Equal(2, redone.Usage.Calls);
        Assert.Equal(billed.Tokens - billedByTheDead.Tokens, redone.Usage.TotalTokens);

        // Stored now: a third attempt is a cache hit that costs what the sample cost, bills nothing and is not flagged.
        var again = await GenerateAsync(cache: shared);
        Assert.True(again.Usage.Cached);
        Assert.Equal(redone.Usage.TotalTokens, again.Usage.TotalTokens);
        Assert.Equal(BilledUsage.None, again.Usage.Billed);
    }

    [Fact]
    public async Task A_call_that_failed_is_not_charged_again_when_redone()
    {
        var cache = TeacherResponseCache.InMemory();
        _server.Enqueue(F.ServerError, F.ServerError, F.ServerError);
        var failed = await GenerateAsync(cache: cache, retry: TestTeachers.FastRetry(attempts: 3));
        Assert.Null(failed.Sample);

        var redone = await GenerateAsync(cache: cache);

        Assert.NotNull(redone.Sample);
        Assert.Equal(2, redone.Usage.Calls);
        Assert.Equal(_server.Snapshot().Tokens, redone.Usage.TotalTokens);
        Assert.Equal(_server.Snapshot().Tokens, redone.Usage.Billed.Tokens);
    }

    /// <summary>A replica killed after the endpoint answered and before the reply was stored: its start mark stays behind.</summary>
    private static TeacherResponseCache DiesBeforeStoring(TeacherResponseCache shared) =>
        shared with { Store = new KilledOnWrite(shared.Store), Marks = new KilledOnFinish(shared.Marks) };

    private sealed class KilledOnWrite(IDistributedCache shared) : IDistributedCache
    {
        public byte[]? Get(string key) => shared.Get(key);

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => shared.GetAsync(key, token);

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new IOException("the process was killed");

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) =>
            throw new IOException("the process was killed");

        public void Refresh(string key) => shared.Refresh(key);

        public Task RefreshAsync(string key, CancellationToken token = default) => shared.RefreshAsync(key, token);

        public void Remove(string key) => shared.Remove(key);

        public Task RemoveAsync(string key, CancellationToken token = default) => shared.RemoveAsync(key, token);
    }

    private sealed class KilledOnFinish(ICallStartMarks shared) : ICallStartMarks
    {
        public Task<bool> TryStartAsync(string fingerprint, CancellationToken ct = default) => shared.TryStartAsync(fingerprint, ct);

        public Task FinishAsync(string fingerprint, CancellationToken ct = default) => throw new IOException("the process was killed");
    }

    [Fact]
    public async Task Client_side_concurrency_limit_holds()
    {
        _server.Latency = TimeSpan.FromMilliseconds(100);
        var client = TestTeachers.OpenAi(_server, limits: new RateLimitOptions { MaxConcurrency = 3 });
        var generator = TestTeachers.Generator(client);
        await Task.WhenAll(Enumerable.Range(0, 12).Select(i => generator.GenerateAsync(Request($"c-{i}"), default)));
        Assert.Equal(24, _server.Requests);
        Assert.InRange(_server.MaxInFlight, 2, 3);
    }

    [Fact]
    public async Task Requests_per_minute_limit_delays_calls_past_the_window()
    {
        // System.Threading.RateLimiting runs on the real clock: a one-second window stands for the minute.
        var window = TimeSpan.FromSeconds(1);
        using var limiter = new ClientRateLimiter(new RateLimitOptions { RequestsPerMinute = 2, MaxConcurrency = 0 }, window: window);
        var watch = Stopwatch.StartNew();
        (await limiter.AcquireAsync(10, default)).Dispose();
        (await limiter.AcquireAsync(10, default)).Dispose();
        var third = limiter.AcquireAsync(10, default);
        await Task.Delay(200);
        Assert.False(third.IsCompleted);
        (await third.WaitAsync(TimeSpan.FromSeconds(10))).Dispose();
        Assert.True(watch.Elapsed >= window * 0.9, $"the third call waited for the window to pass (took {watch.Elapsed})");
    }

    [Fact]
    public async Task Tokens_per_minute_limit_admits_by_estimate()
    {
        var time = new ManualTime();
        using var limiter = new ClientRateLimiter(new RateLimitOptions { TokensPerMinute = 1000, MaxConcurrency = 0 }, time);
        using (var lease = await limiter.AcquireAsync(900, default))
        {
            lease.Complete(950);
        }
        var next = limiter.AcquireAsync(100, default);
        await Task.Delay(50);
        Assert.False(next.IsCompleted);
        time.Advance(TimeSpan.FromSeconds(60));
        (await next.WaitAsync(TimeSpan.FromSeconds(5))).Dispose();
    }

    /// <summary>A clock the test moves; timers fire when it passes their due time.</summary>
    private sealed class ManualTime : TimeProvider
    {
        private DateTimeOffset _now = DateTimeOffset.UnixEpoch;

        public override DateTimeOffset GetUtcNow() => _now;

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            var timer = new ManualTimer(this, callback, state);
            timer.Change(dueTime, period);
            return timer;
        }

        public void Advance(TimeSpan by)
        {
            _now += by;
            List<ManualTimer> due;
            lock (_timers)
            {
                due = _timers.Where(t => t.Due <= _now).ToList();
            }
            foreach (var t in due)
            {
                t.Fire();
            }
        }

        private readonly List<ManualTimer> _timers = [];

        private sealed class ManualTimer(ManualTime owner, TimerCallback callback, object? state) : ITimer
        {
            public DateTimeOffset Due { get; private set; } = DateTimeOffset.MaxValue;

            public bool Change(TimeSpan dueTime, TimeSpan period)
            {
                lock (owner._timers)
                {
                    Due = dueTime == Timeout.InfiniteTimeSpan ? DateTimeOffset.MaxValue : owner._now + dueTime;
                    if (!owner._timers.Contains(this))
                    {
                        owner._timers.Add(this);
                    }
                }
                return true;
            }

            public void Fire()
            {
                lock (owner._timers)
                {
                    owner._timers.Remove(this);
                }
                callback(state);
            }

            public void Dispose()
            {
                lock (owner._timers)
                {
                    owner._timers.Remove(this);
                }
            }

            public ValueTask DisposeAsync()
            {
                Dispose();
                return ValueTask.CompletedTask;
            }
        }
    }
}
