using System.Diagnostics;
using Google.Protobuf;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace ActiveSynth.Messaging;

/// <summary>
/// Handles one batch of delivered entries: dead-letters poison and exhausted entries, skips ids already
/// handled, runs the handlers (up to Concurrency at once), then acks the successes together with their done
/// markers in one MULTI/EXEC. Nothing is acked before its handler returned; failures stay pending.
/// </summary>
internal sealed class BatchProcessor<TMessage, THandler>(ConsumerContext context, IServiceScopeFactory scopes, PendingLeaseKeeper lease)
    where TMessage : class, IMessage<TMessage>, new()
    where THandler : class, IStreamHandler<TMessage>
{
    private readonly StreamConsumerOptions _options = context.Options;

    public async Task ProcessAsync(List<Delivery> batch, CancellationToken stoppingToken)
    {
        foreach (var delivery in batch)
        {
            lease.Track(delivery.Entry.Id!);
        }
        try
        {
            var plan = Plan(batch);
            await SkipHandledAsync(plan).ConfigureAwait(false);
            await RunHandlersAsync(plan, stoppingToken).ConfigureAwait(false);
            await AckAsync(plan).ConfigureAwait(false);
            await DeadLetterAsync(plan).ConfigureAwait(false);
        }
        finally
        {
            foreach (var delivery in batch)
            {
                lease.Release(delivery.Entry.Id!);
            }
        }
    }

    private BatchPlan Plan(List<Delivery> batch)
    {
        var plan = new BatchPlan();
        var byId = new Dictionary<string, Work>();
        var deleted = 0;
        foreach (var delivery in batch)
        {
            if (delivery.Entry.IsNull || delivery.Entry.Values is not { Length: > 0 })
            {
                // Trimmed or deleted while pending: there is nothing left to handle.
                plan.Ack.Add(delivery.Entry.Id);
                deleted++;
                continue;
            }
            var decoded = StreamEntryDecoder<TMessage>.Decode(delivery.Entry, context.Stream, context.Group, context.Consumer, delivery.Attempt);
            if (decoded.Message is null)
            {
                plan.DeadLetters.Add(new DeadLetter(delivery.Entry, delivery.Attempt, decoded.PoisonReason!));
            }
            else if (delivery.Attempt > _options.MaxAttempts)
            {
                // The previous delivery never reported back (its consumer died or was stopped mid-handler).
                plan.DeadLetters.Add(new DeadLetter(delivery.Entry, delivery.Attempt,
                    $"gave up after {delivery.Attempt - 1} deliveries that did not complete (max attempts {_options.MaxAttempts})"));
            }
            else if (byId.TryGetValue(decoded.Message.Id, out var first))
            {
                // Same idempotency id twice in one batch: handle it once, settle the copies with the first.
                first.Followers.Add(delivery.Entry.Id);
            }
            else
            {
                var work = new Work(delivery, decoded);
                byId.Add(decoded.Message.Id, work);
                plan.Work.Add(work);
            }
        }
        if (deleted > 0)
        {
            context.Logger.DeletedEntriesAcked(context.Stream, context.Group, deleted);
        }
        return plan;
    }

    private async Task SkipHandledAsync(BatchPlan plan)
    {
        if (plan.Work.Count == 0)
        {
            return;
        }
        var db = context.Db;
        // Issued together so they travel in one round trip.
        var checks = plan.Work.Select(w => db.KeyExistsAsync(StreamKeys.DoneMarker(context.Stream, context.Group, w.Message.Id))).ToArray();
        await Task.WhenAll(checks).ConfigureAwait(false);
        for (var i = 0; i < checks.Length; i++)
        {
            var work = plan.Work[i];
            if (checks[i].Result)
            {
                work.Outcome = Outcome.AlreadyHandled;
                plan.Ack.Add(work.Delivery.Entry.Id);
                plan.Ack.AddRange(work.Followers);
                context.Metrics.Duplicate(context.Stream, context.Group);
                context.Logger.DuplicateSkipped(context.Stream, context.Group, work.Message.EntryId, work.Message.Id);
            }
        }
    }

    private async Task RunHandlersAsync(BatchPlan plan, CancellationToken stoppingToken)
    {
        var toRun = plan.Work.Where(w => w.Outcome == Outcome.NotRun).ToList();
        if (_options.Concurrency == 1 || toRun.Count <= 1)
        {
            foreach (var work in toRun)
            {
                await RunAsync(work, stoppingToken).ConfigureAwait(false);
            }
        }
        else
        {
            // The loop's own token is None: cancellation reaches the handlers, and a handler not yet started when
            // the host stops is simply not run (RunAsync checks), so it stays pending.
            var parallel = new ParallelOptions { MaxDegreeOfParallelism = _options.Concurrency };
            await Parallel.ForEachAsync(toRun, parallel, async (work, _) => await RunAsync(work, stoppingToken).ConfigureAwait(false))
                .ConfigureAwait(false);
        }

        foreach (var work in toRun)
        {
            switch (work.Outcome)
            {
                case Outcome.Succeeded:
                    plan.Ack.Add(work.Delivery.Entry.Id);
                    plan.Ack.AddRange(work.Followers);
                    plan.Done.Add(work.Message.Id);
                    break;
                case Outcome.Cancelled:
                    context.Logger.LeftPendingOnShutdown(context.Stream, context.Group, work.Message.EntryId);
                    break;
                case Outcome.Failed when work.Delivery.Attempt >= _options.MaxAttempts:
                    plan.DeadLetters.Add(new DeadLetter(work.Delivery.Entry, work.Delivery.Attempt, DeadLetterWriter.Describe(work.Error!)));
                    break;
                case Outcome.Failed:
                    context.Logger.HandlerFailed(work.Error!, context.Stream, context.Group, work.Message.EntryId, work.Message.Id,
                        work.Delivery.Attempt, _options.MaxAttempts);
                    break;
            }
        }
    }

    private async Task RunAsync(Work work, CancellationToken stoppingToken)
    {
        if (stoppingToken.IsCancellationRequested)
        {
            work.Outcome = Outcome.Cancelled;
            return;
        }
        var message = work.Message;
        // The Consumer span's parent is the producer's span from the entry, so the trace crosses the hop.
        using var activity = MessagingDiagnostics.ActivitySource.StartActivity($"process {context.Stream}", ActivityKind.Consumer, work.Decoded.Parent);
        activity?.SetTag("messaging.system", "redis");
        activity?.SetTag("messaging.operation.type", "process");
        activity?.SetTag(MessagingMetrics.StreamTag, context.Stream);
        activity?.SetTag(MessagingMetrics.GroupTag, context.Group);
        activity?.SetTag("messaging.message.id", message.Id);
        activity?.SetTag("messaging.redis.entry_id", message.EntryId);
        activity?.SetTag("messaging.message.delivery_attempt", message.Attempt);
        activity?.SetTag("activesynth.run", message.RunId);

        context.Metrics.Consumed(context.Stream, context.Group);
        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var handler = scope.ServiceProvider.GetRequiredService<THandler>();
            await handler.HandleAsync(message, stoppingToken).ConfigureAwait(false);
            work.Outcome = Outcome.Succeeded;
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            work.Outcome = Outcome.Cancelled;
            activity?.SetStatus(ActivityStatusCode.Error, "cancelled by shutdown");
        }
        catch (Exception ex)
        {
            // Not swallowed: recorded here, then retried or dead-lettered by RunHandlersAsync.
            work.Outcome = Outcome.Failed;
            work.Error = ex;
            context.Metrics.Failed(context.Stream, context.Group);
            activity?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
            activity?.SetTag("error.type", ex.GetType().FullName);
        }
        finally
        {
            context.Metrics.HandlerDuration(context.Stream, context.Group, Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    private async Task AckAsync(BatchPlan plan)
    {
        if (plan.Ack.Count == 0)
        {
            return;
        }
        try
        {
            // Ack and done markers commit together: a redelivery after a lost ack then finds the marker and skips.
            var tx = context.Db.CreateTransaction();
            var commands = new List<Task>(plan.Done.Count + 1) { tx.StreamAcknowledgeAsync(context.Stream, context.Group, [.. plan.Ack]) };
            foreach (var id in plan.Done)
            {
                commands.Add(tx.StringSetAsync(StreamKeys.DoneMarker(context.Stream, context.Group, id), 1, _options.IdempotencyTtl));
            }
            await tx.ExecuteAsync().ConfigureAwait(false);
            await Task.WhenAll(commands).ConfigureAwait(false);
            context.Metrics.Acked(context.Stream, context.Group, plan.Ack.Count);
        }
        catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
        {
            context.Logger.AckFailed(ex, context.Stream, context.Group, plan.Ack.Count);
        }
    }

    private async Task DeadLetterAsync(BatchPlan plan)
    {
        if (plan.DeadLetters.Count == 0)
        {
            return;
        }
        try
        {
            await DeadLetterWriter.WriteAsync(context.Db, context.Stream, context.Group, context.Consumer, _options.DeadLetterMaxLength, plan.DeadLetters)
                .ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RedisException or ObjectDisposedException)
        {
            context.Logger.DeadLetterFailed(ex, context.Stream, context.Group, plan.DeadLetters.Count);
            return;
        }
        var deadStream = StreamKeys.DeadLetter(context.Stream);
        foreach (var letter in plan.DeadLetters)
        {
            var reason = letter.Reason.StartsWith("poison:", StringComparison.Ordinal) ? "poison" : "exhausted";
            context.Metrics.DeadLettered(context.Stream, context.Group, reason);
            context.Logger.DeadLettered(context.Stream, context.Group, letter.Entry.Id!, deadStream, letter.Reason);
        }
    }

    private enum Outcome
    {
        NotRun,
        AlreadyHandled,
        Succeeded,
        Failed,
        Cancelled,
    }

    private sealed class Work(Delivery delivery, DecodedEntry<TMessage> decoded)
    {
        public Delivery Delivery { get; } = delivery;
        public DecodedEntry<TMessage> Decoded { get; } = decoded;
        public StreamMessage<TMessage> Message => Decoded.Message!;
        public List<RedisValue> Followers { get; } = [];
        public Outcome Outcome { get; set; }
        public Exception? Error { get; set; }
    }

    private sealed class BatchPlan
    {
        public List<Work> Work { get; } = [];
        public List<RedisValue> Ack { get; } = [];
        public List<string> Done { get; } = [];
        public List<DeadLetter> DeadLetters { get; } = [];
    }
}
