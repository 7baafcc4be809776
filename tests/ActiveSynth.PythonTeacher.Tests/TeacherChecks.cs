using System.Globalization;
using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Messaging;
using ActiveSynth.Testing;
using Google.Protobuf;
using StackExchange.Redis;

namespace ActiveSynth.PythonTeacher.Tests;

/// <summary>
/// What a Teacher implementation must do on the streams, each check a small method that sees the worker only through Redis
/// (and the OpenAI-compatible endpoint it calls), so they can move into the shared conformance kit. A check that needs workers
/// started or stopped gets a <see cref="StartWorker"/>.
/// </summary>
public static class TeacherChecks
{
    /// <summary>Starts one replica of the worker under test with extra settings (environment variable names, null removes one).</summary>
    public delegate Task<PythonTeacherProcess> StartWorker(IReadOnlyDictionary<string, string?>? settings = null);

    /// <summary>A chunk of OpenAI-kind requests gets one result per request, in order, each a valid sample with lineage and the endpoint's usage.</summary>
    public static async Task AnswersAChunkWithValidSamplesAsync(TeacherStreams streams, FakeOpenAiServer endpoint)
    {
        const string run = "run-valid";
        var chunk = TeacherStreams.Chunk(run, 1, 3, TeacherKind.Openai);
        var id = TeacherStreams.ChunkId(run, 1, 3);
        var before = endpoint.Snapshot();

        var result = await streams.RequestAsync(chunk, id);

        Assert.Equal(run, result.RunId);
        Assert.Equal(1, result.Round);
        Assert.Equal(id, result.RequestId);
        Assert.False(string.IsNullOrEmpty(result.Instance));
        Assert.Equal(chunk.Requests.Count, result.Results.Count);
        for (var i = 0; i < chunk.Requests.Count; i++)
        {
            var request = chunk.Requests[i];
            var answer = result.Results[i];
            Assert.True(answer.OutcomeCase == GenerateResult.OutcomeOneofCase.Sample, $"slot {i} was dropped: {answer.Drop}");
            Assert.Equal(request.Slot, answer.Slot);
            Assert.Equal($"{id}#{request.Slot}", answer.RequestId);
            Assert.Equal(request.Seed.Id, answer.SeedId);
            Assert.Equal(request.Reserved.ReservationId, answer.ReservationId);
            var sample = answer.Sample;
            Assert.Equal(request.SampleId, sample.Id);
            Assert.Equal(request.Seed.Family, sample.Family);
            Assert.False(string.IsNullOrWhiteSpace(sample.Question));
            Assert.NotEqual(request.Seed.Question, sample.Question);
            Assert.Contains("####", sample.Answer, StringComparison.Ordinal);
            Assert.Equal("v1", sample.Lineage.PromptVersion);
            Assert.Equal("random", sample.Lineage.Strategy);
            Assert.Equal(run, sample.Lineage.RunId);
            Assert.Equal([$"{request.SampleId}:q", $"{request.SampleId}:s"], sample.Lineage.TeacherCallIds);
            Assert.NotNull(sample.Lineage.CreatedAt);
            Assert.Equal(2, answer.Usage.Calls);
            Assert.False(answer.Usage.Estimated);
            Assert.True(answer.Usage.PromptTokens > 0 && answer.Usage.CompletionTokens > 0, $"usage {answer.Usage}");
            Assert.Equal(endpoint.Model, answer.Usage.Model);
            Assert.Equal(answer.Usage, sample.Lineage.Usage);
        }
        // Usage is the endpoint's own: what the results report is what the endpoint billed, call for call.
        var billed = endpoint.Snapshot().Since(before);
        Assert.Equal(2 * chunk.Requests.Count, billed.Completions);
        Assert.Equal(billed.PromptTokens, result.Results.Sum(r => r.Usage.PromptTokens));
        Assert.Equal(billed.CompletionTokens, result.Results.Sum(r => r.Usage.CompletionTokens));
        Assert.Equal(0, endpoint.Unauthorized);
        Assert.Equal(0, endpoint.Uncapped);
        // The run's questions are claimed where the .NET teacher claims them, so replicas of both kinds agree on duplicates.
        Assert.Equal(chunk.Requests.Count, await streams.Db.HashLengthAsync($"activesynth:teacher:seen:{run}"));
    }

    /// <summary>An embedded-kind request the worker cannot serve comes back as a TEACHER_ERROR drop with a reason, not lost.</summary>
    public static async Task DropsWhatItCannotServeWithAReasonAsync(TeacherStreams streams, FakeOpenAiServer endpoint)
    {
        const string run = "run-embedded";
        var chunk = TeacherStreams.Chunk(run, 1, 2, TeacherKind.Embedded);
        var before = endpoint.Requests;

        var result = await streams.RequestAsync(chunk, TeacherStreams.ChunkId(run, 1, 2));

        Assert.Equal(2, result.Results.Count);
        foreach (var answer in result.Results)
        {
            Assert.Equal(GenerateResult.OutcomeOneofCase.Drop, answer.OutcomeCase);
            Assert.Equal(DropReason.TeacherError, answer.Drop.Reason);
            Assert.Contains("embedded teacher", answer.Drop.Detail, StringComparison.Ordinal);
            Assert.Equal(answer.SeedId, answer.Drop.SeedId);
            Assert.Equal(answer.Slot, answer.Drop.Slot);
            Assert.Equal(0, answer.Usage.Calls);
        }
        Assert.Equal(before, endpoint.Requests);
    }

    /// <summary>The same request id published twice is answered once (one reply, one set of endpoint calls).</summary>
    public static async Task AnswersARepublishedRequestOnceAsync(TeacherStreams streams, FakeOpenAiServer endpoint)
    {
        const string run = "run-twice";
        var chunk = TeacherStreams.Chunk(run, 1, 2, TeacherKind.Openai);
        var id = TeacherStreams.ChunkId(run, 1, 2);
        var before = endpoint.Snapshot();

        await streams.Publisher.PublishAsync(Streams.GenerateRequests, chunk, run, id);
        await streams.WaitForEntryAsync(Streams.GenerateResults, id, TeacherStreams.ReplyTimeout);
        await streams.Publisher.PublishAsync(Streams.GenerateRequests, chunk, run, id);
        await streams.WaitSettledAsync(Streams.GenerateRequests);

        Assert.Single(await streams.EntriesAsync(Streams.GenerateResults, id));
        Assert.Equal(4, endpoint.Snapshot().Since(before).Completions);
        Assert.Empty(await streams.Db.StreamRangeAsync(StreamKeys.DeadLetter(Streams.GenerateRequests)));
    }

    /// <summary>A request whose reply a replica published before it died (the .NET effect marker is set) is acked without a
    /// second reply or any endpoint call: the marker key is shared with the .NET teacher's ReplyPolicy.Once.</summary>
    public static async Task HonoursTheReplyMarkerOfAnyReplicaAsync(TeacherStreams streams, FakeOpenAiServer endpoint)
    {
        const string run = "run-marked";
        var chunk = TeacherStreams.Chunk(run, 1, 1, TeacherKind.Openai);
        var id = TeacherStreams.ChunkId(run, 1, 1);
        await streams.Db.StringSetAsync(StreamKeys.EffectMarker(Streams.GenerateRequests, ConsumerGroups.Teacher, id, "result"), 1);
        var before = endpoint.Requests;

        await streams.Publisher.PublishAsync(Streams.GenerateRequests, chunk, run, id);
        await streams.WaitSettledAsync(Streams.GenerateRequests);

        Assert.Empty(await streams.EntriesAsync(Streams.GenerateResults, id));
        Assert.Equal(before, endpoint.Requests);
    }

    /// <summary>An entry a dead consumer took and never acked is claimed (XAUTOCLAIM after the claim idle time) and answered;
    /// one delivered more often than the max attempts goes to the dead letters instead.</summary>
    public static async Task ClaimsDeadConsumersEntriesAsync(TeacherStreams streams, StartWorker start)
    {
        var db = streams.Db;
        await db.StreamCreateConsumerGroupAsync(Streams.GenerateRequests, ConsumerGroups.Teacher, StreamPosition.Beginning, createStream: true);
        var orphan = TeacherStreams.Chunk("run-orphan", 1, 1, TeacherKind.Openai);
        var orphanId = TeacherStreams.ChunkId("run-orphan", 1, 1);
        var exhausted = TeacherStreams.Chunk("run-exhausted", 1, 1, TeacherKind.Openai);
        var exhaustedId = TeacherStreams.ChunkId("run-exhausted", 1, 1);
        // A consumer that reads an entry three times (re-reading its own history counts a delivery each time) and dies ...
        await streams.Publisher.PublishAsync(Streams.GenerateRequests, exhausted, exhausted.RunId, exhaustedId);
        Assert.Single(await db.StreamReadGroupAsync(Streams.GenerateRequests, ConsumerGroups.Teacher, "dead-consumer", ">", 10));
        for (var i = 0; i < 2; i++)
        {
            Assert.Single(await db.StreamReadGroupAsync(Streams.GenerateRequests, ConsumerGroups.Teacher, "dead-consumer", "0-0", 10));
        }
        // ... and another entry once.
        await streams.Publisher.PublishAsync(Streams.GenerateRequests, orphan, orphan.RunId, orphanId);
        Assert.Single(await db.StreamReadGroupAsync(Streams.GenerateRequests, ConsumerGroups.Teacher, "dead-consumer", ">", 10));

        await using var worker = await start(new Dictionary<string, string?>
        {
            ["Messaging__Consumers__teacher__ClaimIdleTime"] = "00:00:01",
            ["Messaging__Consumers__teacher__MaxAttempts"] = "2",
        });
        await streams.WaitForEntryAsync(Streams.GenerateResults, orphanId, TeacherStreams.ReplyTimeout);
        await streams.WaitSettledAsync(Streams.GenerateRequests);

        Assert.Single(await streams.EntriesAsync(Streams.GenerateResults, orphanId));
        Assert.Empty(await streams.EntriesAsync(Streams.GenerateResults, exhaustedId));
        var dead = Assert.Single(await streams.EntriesAsync(StreamKeys.DeadLetter(Streams.GenerateRequests), exhaustedId));
        Assert.Equal("gave up after 3 deliveries that did not complete (max attempts 2)", dead[StreamEntryFields.Error].ToString());
        Assert.Equal("4", dead[StreamEntryFields.Deliveries].ToString());
        Assert.Contains("claimed", worker.Output, StringComparison.Ordinal);
    }

    /// <summary>Poison (a payload that does not parse, a wrong type, no id) goes to <c>&lt;stream&gt;:dead</c> at once with its
    /// original fields and a reason in the fields the .NET DeadLetterWriter writes, and is acked.</summary>
    public static async Task DeadLettersPoisonWithAReasonAsync(TeacherStreams streams)
    {
        var db = streams.Db;
        var garbage = await db.StreamAddAsync(Streams.GenerateRequests, [
            new(StreamEntryFields.Type, "activesynth.v1.GenerateChunk"), new(StreamEntryFields.Payload, new byte[] { 0xff, 0xff, 0xff }),
            new(StreamEntryFields.Run, "run-poison"), new(StreamEntryFields.Id, "poison-garbage"), new(StreamEntryFields.Attempt, 1)]);
        var wrongType = await db.StreamAddAsync(Streams.GenerateRequests, [
            new(StreamEntryFields.Type, "activesynth.v1.TrainRequest"), new(StreamEntryFields.Payload, new TrainRequest().ToByteArray()),
            new(StreamEntryFields.Run, "run-poison"), new(StreamEntryFields.Id, "poison-type"), new(StreamEntryFields.Attempt, 1)]);
        var noId = await db.StreamAddAsync(Streams.GenerateRequests, [
            new(StreamEntryFields.Type, "activesynth.v1.GenerateChunk"), new(StreamEntryFields.Payload, new GenerateChunk().ToByteArray()),
            new(StreamEntryFields.Run, "run-poison"), new(StreamEntryFields.Attempt, 1)]);

        await streams.WaitSettledAsync(Streams.GenerateRequests);

        var dead = (await db.StreamRangeAsync(StreamKeys.DeadLetter(Streams.GenerateRequests))).ToDictionary(e => e[StreamEntryFields.SourceEntryId].ToString());
        Assert.Equal(3, dead.Count);
        AssertDeadLetter(dead[garbage.ToString()], "poison: payload does not parse as activesynth.v1.GenerateChunk");
        Assert.Equal(new byte[] { 0xff, 0xff, 0xff }, (byte[])dead[garbage.ToString()][StreamEntryFields.Payload]!);
        Assert.Equal("poison-garbage", dead[garbage.ToString()][StreamEntryFields.Id].ToString());
        AssertDeadLetter(dead[wrongType.ToString()], "poison: type 'activesynth.v1.TrainRequest' is not 'activesynth.v1.GenerateChunk'");
        AssertDeadLetter(dead[noId.ToString()], "poison: no 'id' field");
        Assert.Empty(await db.StreamRangeAsync(Streams.GenerateResults));

        static void AssertDeadLetter(StreamEntry entry, string reason)
        {
            Assert.StartsWith(reason, entry[StreamEntryFields.Error].ToString(), StringComparison.Ordinal);
            Assert.Equal(Streams.GenerateRequests, entry[StreamEntryFields.SourceStream].ToString());
            Assert.Equal(ConsumerGroups.Teacher, entry[StreamEntryFields.Group].ToString());
            Assert.False(entry[StreamEntryFields.Consumer].IsNullOrEmpty);
            Assert.Equal("1", entry[StreamEntryFields.Deliveries].ToString());
            Assert.Equal("run-poison", entry[StreamEntryFields.Run].ToString());
        }
    }

    /// <summary>The reply carries the request's trace: same trace id, a new span id, in the W3C traceparent field.</summary>
    public static async Task ContinuesTheTraceContextAsync(TeacherStreams streams)
    {
        const string run = "run-trace";
        var chunk = TeacherStreams.Chunk(run, 1, 1, TeacherKind.Openai);
        var id = TeacherStreams.ChunkId(run, 1, 1);
        var traceId = await TeacherStreams.InTraceAsync(() => streams.Publisher.PublishAsync(Streams.GenerateRequests, chunk, run, id));
        var request = Assert.Single(await streams.EntriesAsync(Streams.GenerateRequests, id));

        var reply = await streams.WaitForEntryAsync(Streams.GenerateResults, id, TeacherStreams.ReplyTimeout);

        var requestParent = request[StreamEntryFields.TraceParent].ToString().Split('-');
        var replyParent = reply[StreamEntryFields.TraceParent].ToString().Split('-');
        Assert.Equal(traceId, requestParent[1]);
        Assert.Equal(4, replyParent.Length);
        Assert.Equal("00", replyParent[0]);
        Assert.Equal(traceId, replyParent[1]);
        Assert.Matches("^[0-9a-f]{16}$", replyParent[2]);
        Assert.NotEqual(requestParent[2], replyParent[2]);
        Assert.Equal(requestParent[3], replyParent[3]);
        Assert.Equal(run, reply[StreamEntryFields.Run].ToString());
        Assert.Equal("activesynth.v1.GenerateChunkResult", reply[StreamEntryFields.Type].ToString());
    }

    /// <summary>A probe for the teacher kind (or for all kinds) is answered as kind "teacher" in the probe's trace; one for other kinds is not.</summary>
    public static async Task AnswersTheProbeAsync(TeacherStreams streams)
    {
        var probe = new ProbeRequest { ProbeId = "probe-1", SentAt = Google.Protobuf.WellKnownTypes.Timestamp.FromDateTime(DateTime.UtcNow) };
        probe.Targets.Add("teacher");
        var traceId = await TeacherStreams.InTraceAsync(() => streams.Publisher.PublishAsync(Streams.ProbeRequests, probe, "", probe.ProbeId));
        var elsewhere = new ProbeRequest { ProbeId = "probe-2" };
        elsewhere.Targets.Add("scoring");
        await streams.Publisher.PublishAsync(Streams.ProbeRequests, elsewhere, "", elsewhere.ProbeId);
        var everyone = new ProbeRequest { ProbeId = "probe-3" };
        await streams.Publisher.PublishAsync(Streams.ProbeRequests, everyone, "", everyone.ProbeId);

        await streams.WaitSettledAsync(Streams.ProbeRequests);
        var replies = (await streams.Db.StreamRangeAsync(Streams.ProbeResults)).Select(TeacherStreams.Decode<ProbeReply>).ToList();

        Assert.Equal(["probe-1", "probe-3"], replies.Select(r => r.ProbeId).Order(StringComparer.Ordinal));
        var reply = replies.Single(r => r.ProbeId == "probe-1");
        Assert.Equal("teacher", reply.Service);
        Assert.False(string.IsNullOrEmpty(reply.Instance));
        Assert.Equal(traceId, reply.TraceId);
        Assert.True(Math.Abs((reply.ReceivedAt.ToDateTime() - DateTime.UtcNow).TotalMinutes) < 1, $"received_at {reply.ReceivedAt}");
        var entry = Assert.Single(await streams.EntriesAsync(Streams.ProbeResults, $"probe-1/teacher/{reply.Instance}"));
        Assert.Equal("activesynth.v1.ProbeReply", entry[StreamEntryFields.Type].ToString());
    }

    /// <summary>SIGTERM while a chunk's teacher calls are in flight: the worker stops reading, finishes the chunk, publishes its
    /// reply, acks, and exits with 0 within the stated bound (grace + 2 s).</summary>
    public static async Task FinishesWhatItHoldsOnSigtermAsync(TeacherStreams streams, FakeOpenAiServer endpoint, StartWorker start)
    {
        const string run = "run-sigterm";
        var worker = await start(new Dictionary<string, string?> { ["PythonTeacher__ShutdownGrace"] = "00:00:08" });
        await using var _ = worker;
        endpoint.Latency = TimeSpan.FromMilliseconds(700);
        var chunk = TeacherStreams.Chunk(run, 1, 2, TeacherKind.Openai);
        var id = TeacherStreams.ChunkId(run, 1, 2);
        var reply = streams.RequestAsync(chunk, id);
        await WaitUntilAsync(() => endpoint.InFlight > 0, "a teacher call in flight");
        var later = TeacherStreams.Chunk("run-later", 1, 1, TeacherKind.Openai);
        var laterId = TeacherStreams.ChunkId("run-later", 1, 1);

        await worker.TerminateAsync();
        var stopped = DateTime.UtcNow;
        await Task.Delay(1500); // the worker has stopped reading by now: this one must stay for another replica
        await streams.Publisher.PublishAsync(Streams.GenerateRequests, later, later.RunId, laterId);

        Assert.True(await worker.WaitForExitAsync(TimeSpan.FromSeconds(10)), $"the worker did not exit within 10 s of SIGTERM:\n{worker.Output}");
        Assert.Equal(0, worker.ExitCode);
        Assert.True(DateTime.UtcNow - stopped < TimeSpan.FromSeconds(10));
        var result = await reply;
        Assert.Equal(2, result.Results.Count);
        Assert.All(result.Results, r => Assert.Equal(GenerateResult.OutcomeOneofCase.Sample, r.OutcomeCase));
        Assert.Single(await streams.EntriesAsync(Streams.GenerateResults, id));
        Assert.Empty(await streams.EntriesAsync(Streams.GenerateResults, laterId));
        Assert.Equal(0, (await streams.Db.StreamPendingAsync(Streams.GenerateRequests, ConsumerGroups.Teacher)).PendingMessageCount);
        Assert.Contains("0 entries handed back", worker.Output, StringComparison.Ordinal);

        // Nothing was lost: the entry published after the stop is answered by the next replica.
        endpoint.Latency = TimeSpan.Zero;
        await using var next = await start();
        var answered = await streams.Client.TryGetReplyAsync<GenerateChunkResult>(later.RunId, laterId)
            ?? await streams.RequestAsync(later, laterId);
        Assert.Single(answered.Results);
    }

    /// <summary>SIGTERM with a call that outlasts the grace time: the worker exits within grace + 2 s and hands the entry back
    /// (idle time set past any claim threshold), so the next replica claims it at once, not after the claim idle time; one reply.</summary>
    public static async Task HandsBackWhatItCannotFinishOnSigtermAsync(TeacherStreams streams, FakeOpenAiServer endpoint, StartWorker start)
    {
        const string run = "run-handback";
        var settings = new Dictionary<string, string?>
        {
            ["PythonTeacher__ShutdownGrace"] = "00:00:00.500",
            ["Messaging__Consumers__teacher__ClaimIdleTime"] = "00:01:00",
        };
        var worker = await start(settings);
        await using var _ = worker;
        endpoint.Latency = TimeSpan.FromSeconds(4);
        var chunk = TeacherStreams.Chunk(run, 1, 1, TeacherKind.Openai);
        var id = TeacherStreams.ChunkId(run, 1, 1);
        var reply = streams.RequestAsync(chunk, id);
        await WaitUntilAsync(() => endpoint.InFlight > 0, "a teacher call in flight");

        await worker.TerminateAsync();
        Assert.True(await worker.WaitForExitAsync(TimeSpan.FromSeconds(2.5)), $"the worker did not exit within grace + 2 s:\n{worker.Output}");
        Assert.Equal(0, worker.ExitCode);
        Assert.Contains("1 entries handed back", worker.Output, StringComparison.Ordinal);
        var pending = Assert.Single(await streams.Db.StreamPendingMessagesAsync(Streams.GenerateRequests, ConsumerGroups.Teacher, 10, RedisValue.Null));
        Assert.True(pending.IdleTimeInMilliseconds > TimeSpan.FromDays(1).TotalMilliseconds, $"idle {pending.IdleTimeInMilliseconds} ms: not handed back");

        endpoint.Latency = TimeSpan.Zero;
        var restarted = DateTime.UtcNow;
        await using var next = await start(settings);
        var result = await reply;
        Assert.True(DateTime.UtcNow - restarted < TimeSpan.FromSeconds(20), "the handed-back entry waited for the claim idle time");
        Assert.Equal(GenerateResult.OutcomeOneofCase.Sample, Assert.Single(result.Results).OutcomeCase);
        await streams.WaitSettledAsync(Streams.GenerateRequests);
        Assert.Single(await streams.EntriesAsync(Streams.GenerateResults, id));
        Assert.Empty(await streams.Db.StreamRangeAsync(StreamKeys.DeadLetter(Streams.GenerateRequests)));
    }

    /// <summary>
    /// Endpoint failures as the .NET teacher treats them: 429 and 500 are retried (counted in <c>retries</c>, never charged), a reply
    /// without usage is estimated and flagged, a malformed reply and a refused key are TEACHER_ERROR drops naming the kind of failure.
    /// </summary>
    public static async Task RetriesAndClassifiesEndpointFailuresAsync(TeacherStreams streams, FakeOpenAiServer endpoint)
    {
        endpoint.RetryAfterSeconds = 0;
        endpoint.Enqueue(FakeOpenAiServer.Fault.RateLimited, FakeOpenAiServer.Fault.ServerError);
        var retried = await streams.RequestAsync(TeacherStreams.Chunk("run-retried", 1, 1, TeacherKind.Openai), TeacherStreams.ChunkId("run-retried", 1, 1));
        var answer = Assert.Single(retried.Results);
        Assert.Equal(GenerateResult.OutcomeOneofCase.Sample, answer.OutcomeCase);
        Assert.Equal(2, answer.Usage.Retries);
        Assert.Equal(2, answer.Usage.Calls);
        Assert.False(answer.Usage.Estimated);

        endpoint.Enqueue(FakeOpenAiServer.Fault.NoUsage);
        var estimated = Assert.Single((await streams.RequestAsync(TeacherStreams.Chunk("run-nousage", 1, 1, TeacherKind.Openai),
            TeacherStreams.ChunkId("run-nousage", 1, 1))).Results);
        Assert.Equal(GenerateResult.OutcomeOneofCase.Sample, estimated.OutcomeCase);
        Assert.True(estimated.Usage.Estimated);
        Assert.True(estimated.Usage.PromptTokens > 0);

        endpoint.PermanentFault = FakeOpenAiServer.Fault.MalformedJson;
        var malformed = Assert.Single((await streams.RequestAsync(TeacherStreams.Chunk("run-malformed", 1, 1, TeacherKind.Openai),
            TeacherStreams.ChunkId("run-malformed", 1, 1))).Results);
        endpoint.PermanentFault = FakeOpenAiServer.Fault.KeyRevoked;
        var refused = Assert.Single((await streams.RequestAsync(TeacherStreams.Chunk("run-refused", 1, 1, TeacherKind.Openai),
            TeacherStreams.ChunkId("run-refused", 1, 1))).Results);
        endpoint.PermanentFault = null;
        Assert.Equal(DropReason.TeacherError, malformed.Drop.Reason);
        Assert.Equal("malformed response", malformed.Drop.Detail);
        Assert.Equal(DropReason.TeacherError, refused.Drop.Reason);
        Assert.Equal("http 401", refused.Drop.Detail);
        Assert.Equal(1, refused.Usage.Calls);
        Assert.Equal(0, refused.Usage.Retries);
        Assert.Equal(0, refused.Usage.PromptTokens + refused.Usage.CompletionTokens);
    }

    /// <summary>Redis restarts under the worker: it reconnects and answers what is published afterwards.</summary>
    public static async Task SurvivesARedisRestartAsync(TeacherStreams streams, RedisServerProcess redis)
    {
        await streams.RequestAsync(TeacherStreams.Chunk("run-before", 1, 1, TeacherKind.Openai), TeacherStreams.ChunkId("run-before", 1, 1));
        await redis.ShutdownAsync();
        await Task.Delay(1000);
        await redis.RestartAsync();

        var after = await streams.RequestAsync(TeacherStreams.Chunk("run-after", 1, 1, TeacherKind.Openai), TeacherStreams.ChunkId("run-after", 1, 1));
        Assert.Equal(GenerateResult.OutcomeOneofCase.Sample, Assert.Single(after.Results).OutcomeCase);
    }

    /// <summary>The API key never appears in what the worker writes.</summary>
    public static void NeverLogsTheKey(PythonTeacherProcess worker, FakeOpenAiServer endpoint)
    {
        Assert.DoesNotContain(endpoint.Key, worker.Output, StringComparison.Ordinal);
        Assert.Contains("starting", worker.Output, StringComparison.Ordinal);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(string.Create(CultureInfo.InvariantCulture, $"no {what} within 20 s"));
            }
            await Task.Delay(10);
        }
    }
}
