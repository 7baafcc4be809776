using System.Diagnostics;
using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using StackExchange.Redis;

namespace ActiveSynth.Conformance;

/// <summary>
/// Checks one worker kind through Redis streams alone, as protos/README.md specifies it: it answers the probe, answers a valid
/// request with a valid result, continues the request's trace, gives a redelivered request the same effect, dead-letters poison
/// input with a reason, and (given its pid) on SIGTERM finishes or hands back what it holds, so nothing is lost.
/// </summary>
public sealed class ConformanceKit(IConnectionMultiplexer redis, ConformanceOptions options)
{
    private readonly StreamWire _wire = new(redis);
    private readonly WorkerKindContract _kind = WorkerKindContract.For(options);
    private readonly string _runId = $"conformance-{Guid.NewGuid():N}"[..24];

    public async Task<IReadOnlyList<ConformanceCheck>> RunAsync(Action<ConformanceCheck>? progress = null, CancellationToken ct = default)
    {
        var checks = new List<ConformanceCheck>();
        async Task Run(string name, Func<Task<string?>> check)
        {
            string? problem;
            var clock = Stopwatch.StartNew();
            try
            {
                problem = await check().ConfigureAwait(false);
            }
            catch (Exception e) when (e is RedisException or TimeoutException or InvalidProtocolBufferException or IOException)
            {
                problem = $"{e.GetType().Name}: {e.Message}";
            }
            var result = new ConformanceCheck(name, problem is null, problem ?? $"ok in {clock.Elapsed.TotalSeconds:0.0} s");
            checks.Add(result);
            progress?.Invoke(result);
        }

        await Run("answers-probe", ProbeAsync).ConfigureAwait(false);
        var (request, requestId, firstReply) = (await _kind.ValidRequestAsync(_runId, $"{_runId}/valid", ct).ConfigureAwait(false), $"{_runId}/valid", (StreamEntry?)null);
        var (traceParent, traceId) = StreamWire.NewTrace();
        var resultsFrom = await _wire.LastIdAsync(_kind.ResultStream).ConfigureAwait(false);
        await Run("valid-request-valid-result", async () =>
        {
            await _wire.PublishAsync(_kind.RequestStream, request, _runId, requestId, traceParent).ConfigureAwait(false);
            var replies = await _wire.WaitForAsync(_kind.ResultStream, resultsFrom, requestId, options.Timeout).ConfigureAwait(false);
            if (replies.Count == 0)
            {
                return $"no reply with id '{requestId}' on {_kind.ResultStream} within {options.Timeout.TotalSeconds:0} s";
            }
            firstReply = replies[0];
            return _kind.Check(request, (byte[])firstReply.Value["payload"]!);
        }).ConfigureAwait(false);
        await Run("continues-trace-context", () => Task.FromResult(firstReply is not { } reply
            ? "no reply to check"
            : StreamWire.TraceIdOf(reply) == traceId ? null : $"reply traceparent trace id '{StreamWire.TraceIdOf(reply)}', request's '{traceId}'")).ConfigureAwait(false);
        await Run("redelivery-same-effect", async () =>
        {
            if (firstReply is not { } reply)
            {
                return "no first reply to compare";
            }
            // The same request again (same id), as a requester retrying after a lost reply does.
            await _wire.PublishAsync(_kind.RequestStream, request, _runId, requestId, traceParent).ConfigureAwait(false);
            var replies = await _wire.WaitForAsync(_kind.ResultStream, resultsFrom, requestId, options.SettleTime, count: 2).ConfigureAwait(false);
            var effect = _kind.Effect((byte[])reply["payload"]!);
            var differing = replies.Skip(1).Where(r => !_kind.Effect((byte[])r["payload"]!).Equals(effect)).Select(r => r.Id.ToString()).ToList();
            return differing.Count == 0
                ? null
                : $"reply {differing[0]} has a different effect than the first ({reply.Id}): the request was applied twice";
        }).ConfigureAwait(false);
        await Run("poison-dead-lettered", PoisonAsync).ConfigureAwait(false);
        if (options.WorkerPid is { } pid)
        {
            await Run("sigterm-loses-nothing", () => GracefulStopAsync(pid, ct)).ConfigureAwait(false);
        }
        return checks;
    }

    private async Task<string?> ProbeAsync()
    {
        var deadline = Stopwatch.StartNew();
        var (traceParent, traceId) = StreamWire.NewTrace();
        while (deadline.Elapsed < options.Timeout)
        {
            // Again every few seconds: a worker joining its group after a probe was published does not see that probe.
            var probeId = Guid.NewGuid().ToString("N");
            var from = await _wire.LastIdAsync(Streams.ProbeResults).ConfigureAwait(false);
            var probe = new ProbeRequest { ProbeId = probeId, Timeout = Duration.FromTimeSpan(TimeSpan.FromSeconds(3)), SentAt = Timestamp.FromDateTime(DateTime.UtcNow) };
            probe.Targets.Add(_kind.Kind);
            await _wire.PublishAsync(Streams.ProbeRequests, probe, "", $"probe/{probeId}", traceParent).ConfigureAwait(false);
            ProbeReply? answered = null;
            for (var wait = Stopwatch.StartNew(); answered is null && wait.Elapsed < TimeSpan.FromSeconds(3); await Task.Delay(100).ConfigureAwait(false))
            {
                answered = (await _wire.EntriesAsync(Streams.ProbeResults, from).ConfigureAwait(false))
                    .Select(r => ProbeReply.Parser.ParseFrom((byte[])r["payload"]!))
                    .FirstOrDefault(r => r.ProbeId == probeId && r.Service == _kind.Kind);
            }
            if (answered is null)
            {
                continue;
            }
            return answered.TraceId == traceId ? null : $"probe answered by {answered.Instance}, but with trace id '{answered.TraceId}', not '{traceId}'";
        }
        return $"no {_kind.Kind} answered a probe on {Streams.ProbeRequests} within {options.Timeout.TotalSeconds:0} s";
    }

    private async Task<string?> PoisonAsync()
    {
        var id = $"{_runId}/poison";
        var dead = _kind.RequestStream + Streams.DeadLetterSuffix;
        var from = await _wire.LastIdAsync(dead).ConfigureAwait(false);
        var (traceParent, _) = StreamWire.NewTrace();
        await _wire.PublishRawAsync(_kind.RequestStream, _kind.RequestType, [0xFF, 0xFF, 0xFF, 0x07, 0x00], _runId, id, traceParent).ConfigureAwait(false);
        var letters = await _wire.WaitForAsync(dead, from, id, options.Timeout).ConfigureAwait(false);
        if (letters.Count == 0)
        {
            return $"an undecodable {_kind.RequestType} with id '{id}' did not reach {dead} within {options.Timeout.TotalSeconds:0} s";
        }
        var reason = (string?)letters[0]["error"];
        return string.IsNullOrWhiteSpace(reason) ? $"the dead letter in {dead} has no 'error' field saying why" : null;
    }

    /// <summary>
    /// Several valid requests, SIGTERM once the worker holds one, then: the process exits within the bound, and each request is
    /// answered, handed back (pending, idle past the claim idle time, for another replica to take at once) or never delivered.
    /// </summary>
    private async Task<string?> GracefulStopAsync(int pid, CancellationToken ct)
    {
        const int Requests = 4;
        var from = await _wire.LastIdAsync(_kind.ResultStream).ConfigureAwait(false);
        var ids = new List<(string Id, RedisValue EntryId)>();
        for (var i = 0; i < Requests; i++)
        {
            var id = $"{_runId}/stop-{i}";
            var (traceParent, _) = StreamWire.NewTrace();
            var entry = await _wire.PublishAsync(_kind.RequestStream, await _kind.ValidRequestAsync(_runId, id, ct).ConfigureAwait(false), _runId, id, traceParent)
                .ConfigureAwait(false);
            ids.Add((id, entry));
        }
        var holding = Stopwatch.StartNew();
        while ((await _wire.PendingAsync(_kind.RequestStream, _kind.Group).ConfigureAwait(false)).Length == 0
               && (await _wire.EntriesAsync(_kind.ResultStream, from, ids[0].Id).ConfigureAwait(false)).Count == 0
               && holding.Elapsed < options.Timeout)
        {
            await Task.Delay(20, ct).ConfigureAwait(false);
        }
        using (var process = Process.GetProcessById(pid))
        {
            using var kill = Process.Start("kill", ["-TERM", pid.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            await kill.WaitForExitAsync(ct).ConfigureAwait(false);
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(ct);
            bound.CancelAfter(options.StopBound);
            try
            {
                await process.WaitForExitAsync(bound.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                return $"the worker (pid {pid}) was still running {options.StopBound.TotalSeconds:0} s after SIGTERM";
            }
        }
        var pending = (await _wire.PendingAsync(_kind.RequestStream, _kind.Group).ConfigureAwait(false)).ToDictionary(p => p.MessageId.ToString());
        var problems = new List<string>();
        foreach (var (id, entryId) in ids)
        {
            if ((await _wire.EntriesAsync(_kind.ResultStream, from, id).ConfigureAwait(false)).Count > 0)
            {
                continue; // finished
            }
            if (pending.TryGetValue(entryId.ToString(), out var held))
            {
                if (held.IdleTimeInMilliseconds < options.ClaimIdleTime.TotalMilliseconds)
                {
                    problems.Add($"{id} is still held by {held.ConsumerName} (idle {held.IdleTimeInMilliseconds} ms): neither finished nor handed back");
                }
                continue; // handed back: another replica claims it at once
            }
            if (await DeliveredAsync(entryId).ConfigureAwait(false))
            {
                problems.Add($"{id} was delivered, is not pending and has no reply: lost");
            }
        }
        return problems.Count == 0 ? null : string.Join("; ", problems);
    }

    /// <summary>Whether the group's last delivered id is at or past <paramref name="entryId"/>.</summary>
    private async Task<bool> DeliveredAsync(RedisValue entryId)
    {
        var groups = await redis.GetDatabase().StreamGroupInfoAsync(_kind.RequestStream).ConfigureAwait(false);
        var last = groups.FirstOrDefault(g => g.Name == _kind.Group).LastDeliveredId;
        return last is not null && CompareIds(last, entryId.ToString()) >= 0;
    }

    private static int CompareIds(string a, string b)
    {
        static (long, long) Parse(string id)
        {
            var parts = id.Split('-');
            return (long.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), parts.Length > 1 ? long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) : 0);
        }
        return Parse(a).CompareTo(Parse(b));
    }
}
