using System.Collections.Concurrent;
using System.Diagnostics;
using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Messaging;
using Google.Protobuf.WellKnownTypes;

namespace ActiveSynth.Selection.Probes;

/// <summary>
/// Sends a probe through Redis to every worker kind and gathers their replies: a reply proves that the kind's
/// consumers are reading the streams, the same path the loop's work takes.
/// </summary>
public sealed class ProbeCoordinator(IStreamPublisher publisher)
{
    private readonly ConcurrentDictionary<string, PendingProbe> _pending = new();

    public async Task<ProbeReport> ProbeAsync(IReadOnlyCollection<string> targets, TimeSpan timeout, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var probeId = Guid.NewGuid().ToString("N");
        var pending = new PendingProbe(targets);
        _pending[probeId] = pending;
        try
        {
            var request = new ProbeRequest
            {
                ProbeId = probeId,
                Timeout = Duration.FromTimeSpan(timeout),
                SentAt = Timestamp.FromDateTime(DateTime.UtcNow),
            };
            request.Targets.AddRange(targets);
            await publisher.PublishAsync(Streams.ProbeRequests, request, runId: "", id: $"probe/{probeId}", ct);

            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(timeout);
            try
            {
                await pending.AllReplied.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                // Timed out: report the replies that did arrive; the caller sees which kinds are missing.
            }
            var report = new ProbeReport
            {
                ProbeId = probeId,
                Elapsed = Duration.FromTimeSpan(Stopwatch.GetElapsedTime(started)),
                TraceId = Activity.Current?.TraceId.ToHexString() ?? "",
            };
            report.Replies.AddRange(pending.Replies);
            report.Missing.AddRange(targets.Where(t => report.Replies.All(r => r.Service != t)));
            return report;
        }
        finally
        {
            _pending.TryRemove(probeId, out _);
        }
    }

    public void Accept(ProbeReply reply)
    {
        if (_pending.TryGetValue(reply.ProbeId, out var pending))
        {
            pending.Add(reply);
        }
    }

    private sealed class PendingProbe(IReadOnlyCollection<string> targets)
    {
        private readonly ConcurrentDictionary<string, ProbeReply> _replies = new();
        private readonly TaskCompletionSource _allReplied = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task AllReplied => _allReplied.Task;

        public IReadOnlyList<ProbeReply> Replies => [.. _replies.Values.OrderBy(r => r.Service, StringComparer.Ordinal)];

        public void Add(ProbeReply reply)
        {
            if (!targets.Contains(reply.Service) || !_replies.TryAdd(reply.Service, reply))
            {
                return;
            }
            if (targets.All(_replies.ContainsKey))
            {
                _allReplied.TrySetResult();
            }
        }
    }
}
