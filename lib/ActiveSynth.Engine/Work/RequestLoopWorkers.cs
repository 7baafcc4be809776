using System.Globalization;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Budgets;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Tasks;
using Google.Protobuf;
using ActiveSynth.Engine.Specs;

namespace ActiveSynth.Engine.Work;

/// <summary>
/// <see cref="ILoopWorkers"/> as contract requests: each call builds its Score/Generate/Train request from the run's
/// <see cref="RunPlan"/> and sends it over a <see cref="IWorkTransport"/> with the loop's key as idempotency id: Redis streams in
/// the Selection service, direct calls of the same handlers in-process. Only the transport differs between the two.
/// </summary>
public sealed partial class RequestLoopWorkers(RunWorkContext run, IWorkTransport transport, ArtifactStore artifacts) : ILoopWorkers
{
    private const string BaseRequestId = "base";

    private RunSpec Spec => run.Plan.Spec;

    public async Task<TrainOutcome> PrepareBaseAsync(string key, CancellationToken ct)
    {
        using var activity = run.Tracer.StartStage(0, "evaluate-base");
        var request = new TrainRequest
        {
            RunId = run.RunId,
            Round = 0,
            RequestId = BaseRequestId,
            Student = Spec.Student ?? new StudentSpec(),
            Options = run.Plan.TrainingFor(0),
            TestSet = run.TestSet.ToContract(),
        };
        // An embedded student's path names its base checkpoint; a Hugging Face student's names its model directory,
        // which the Training worker turns into the base itself.
        if (Spec.Student is { Path.Length: > 0, Kind: not StudentKind.Hf } student)
        {
            request.BaseCheckpoint = new CheckpointRef { Path = student.Path, IsBase = true };
        }
        var result = await transport.RequestAsync<TrainRequest, TrainResult>(WorkKind.Train, key, request, ct).ConfigureAwait(false);
        Check(result.Failure, "training (base)");
        run.BaseCheckpoint = result.Checkpoint;
        run.EvalSeconds[0] = result.EvalDuration?.ToTimeSpan().TotalSeconds ?? 0;
        run.Tracer.EndRound(0);
        return new TrainOutcome(result.Checkpoint.ToHandle(), double.NaN, result.Evaluation.ToCore());
    }

    public async Task<ScoreOutcome> ScoreAsync(string key, CheckpointHandle checkpoint, IReadOnlyList<TaskItem> items, SignalNeeds needs,
        ISpendingAllowance allowance, CancellationToken ct)
    {
        var round = RoundOf(key);
        using var activity = run.Tracer.StartStage(round, "score");
        var judged = needs & SignalNeedsExtensions.Judged;
        // The student's own answers are what the judge rates for a reward.
        var studentNeeds = (needs & ~SignalNeedsExtensions.Judged) | ((judged & SignalNeeds.Reward) != 0 ? SignalNeeds.OwnNll : SignalNeeds.None);
        IReadOnlyList<CandidateSignals> signals = [.. items.Select(i => new CandidateSignals(i.Id, i.Family, i.Difficulty))];
        IReadOnlyDictionary<string, string> answers = new Dictionary<string, string>(StringComparer.Ordinal);
        if (studentNeeds != SignalNeeds.None)
        {
            (signals, answers) = await StudentSignalsAsync(key, round, checkpoint, items, studentNeeds, ct).ConfigureAwait(false);
        }
        return judged == SignalNeeds.None
            ? new ScoreOutcome(signals, BudgetAmount.Zero)
            : await JudgeAsync(round, items, signals, answers, judged, allowance, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// The student's signals for the round's items, asked for in chunks of <see cref="LoopSettings.ScoreChunkSize"/> (as many in
    /// flight as <see cref="LoopSettings.ScoreChunksInFlight"/>), each under a key naming its items, so every Scoring replica
    /// serves part of a round, a resumed run asks only for what is missing, and no request or reply grows with the pool. The
    /// chunks' signals join in item order: the strategy sees what one request would have returned. The chunks hold the items in
    /// order of question length (ties in pool order), so a decoding batch holds prompts of similar length and little of it is
    /// padding; the order is the pool's, not the chunking's, so chunk sizes that are multiples of the Scoring batch size give the
    /// same batches, and the same signals, as one request.
    /// </summary>
    private async Task<(IReadOnlyList<CandidateSignals> Signals, IReadOnlyDictionary<string, string> Answers)> StudentSignalsAsync(string key,
        int round, CheckpointHandle checkpoint, IReadOnlyList<TaskItem> items, SignalNeeds needs, CancellationToken ct)
    {
        var chunkSize = Math.Max(1, run.Plan.Loop.ScoreChunkSize);
        using var gate = new SemaphoreSlim(Math.Max(1, run.Plan.Loop.ScoreChunksInFlight));
        var byId = items.ToDictionary(i => i.Id, StringComparer.Ordinal);
        var byLength = items.Select((item, index) => (item, index)).OrderBy(p => p.item.Question.Length).ThenBy(p => p.index).Select(p => p.item).ToList();
        var chunks = new List<Task<List<(CandidateSignals Signals, string Answer)>>>();
        for (var first = 0; first < byLength.Count; first += chunkSize)
        {
            chunks.Add(ScoreChunkAsync(key, round, checkpoint, byLength, first, Math.Min(chunkSize, byLength.Count - first), needs, byId, gate, ct));
        }
        var results = await Task.WhenAll(chunks).ConfigureAwait(false);
        var scoredById = new Dictionary<string, CandidateSignals>(items.Count, StringComparer.Ordinal);
        var answers = new Dictionary<string, string>(items.Count, StringComparer.Ordinal);
        foreach (var (scored, answer) in results.SelectMany(r => r))
        {
            scoredById[scored.Id] = scored;
            answers[scored.Id] = answer;
        }
        var missing = items.FirstOrDefault(i => !scoredById.ContainsKey(i.Id));
        return missing is null ? ([.. items.Select(i => scoredById[i.Id])], answers)
            : throw new WorkerFailedException($"scoring returned no signals for item '{missing.Id}'");
    }

    /// <summary>
    /// One chunk's signals, taken out of its reply as soon as it comes; the reply is then deleted from the transport. Scoring is
    /// side-effect free and a crashed run asks again, so a pool's embeddings and gradient embeddings (badge, coreset) never wait
    /// in Redis for the rest of the round, and only one copy of them is held here.
    /// </summary>
    private async Task<List<(CandidateSignals Signals, string Answer)>> ScoreChunkAsync(string key, int round, CheckpointHandle checkpoint,
        IReadOnlyList<TaskItem> items, int first, int count, SignalNeeds needs, Dictionary<string, TaskItem> byId, SemaphoreSlim gate,
        CancellationToken ct)
    {
        await gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            var last = first + count - 1;
            // A pool that fits one chunk keeps the key and request id one request always had (a run resumed across versions finds its reply).
            var whole = first == 0 && count == items.Count;
            var request = new ScoreRequest
            {
                RunId = run.RunId,
                Round = round,
                RequestId = whole ? "score" : string.Create(CultureInfo.InvariantCulture, $"score-by-length-{first}-{last}"),
                Checkpoint = checkpoint.ToContract(),
                Student = Spec.Student ?? new StudentSpec(),
            };
            for (var i = first; i <= last; i++)
            {
                request.Items.Add(items[i].ToContract());
            }
            request.Signals.AddRange(needs.ToContract());
            // Chunk positions count in length order ("by-length"): a reply kept under an older version's pool-order key is never taken for this one.
            var chunkKey = whole ? key : string.Create(CultureInfo.InvariantCulture, $"{key}/by-length/{first}-{last}");
            var result = await transport.RequestAsync<ScoreRequest, ScoreResult>(WorkKind.Score, chunkKey, request, ct).ConfigureAwait(false);
            Check(result.Failure, "scoring");
            var signals = result.Signals.Select(s => (s.ToCore(byId.GetValueOrDefault(s.ItemId)), s.StudentAnswer)).ToList();
            await transport.ForgetAsync(run.RunId, [chunkKey], ct).ConfigureAwait(false);
            return signals;
        }
        finally
        {
            gate.Release();
        }
    }

    public async Task<IReadOnlyList<GenerationResult>> GenerateAsync(string key, IReadOnlyList<GenerationWork> chunk, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var round = chunk.Count > 0 ? chunk[0].Round : RoundOf(key);
        using var activity = run.Tracer.StartStage(round, "generate");
        activity?.SetTag("activesynth.samples", chunk.Count);
        var request = new GenerateChunk { RunId = run.RunId, Round = round };
        request.Requests.AddRange(chunk.Select(work => Request(key, work)));
        var result = await transport.RequestAsync<GenerateChunk, GenerateChunkResult>(WorkKind.Generate, key, request, ct).ConfigureAwait(false);
        var bySlot = result.Results.ToDictionary(r => r.Slot);
        return [.. chunk.Select(work => bySlot.TryGetValue(work.Slot, out var one)
            ? ToCore(one)
            : throw new WorkerFailedException($"generation chunk '{key}' returned no result for slot {work.Slot}"))];
    }

    private GenerateRequest Request(string key, GenerationWork work) => new()
    {
        RunId = run.RunId,
        Round = work.Round,
        Seed = work.Seed.ToContract(),
        Attempt = 1,
        CallKind = TeacherCallKind.QuestionAndSolution,
        Reserved = new BudgetReservation
        {
            ReservationId = string.Create(CultureInfo.InvariantCulture, $"{key}#{work.Slot}"),
            TeacherCalls = work.Reserved.TeacherCalls,
            TeacherTokens = work.Reserved.TeacherTokens,
            CostUsd = work.Reserved.CostUsd,
        },
        Teacher = run.Teacher,
        Slot = work.Slot,
        Lineage = new SampleLineage
        {
            RunId = run.RunId,
            Round = work.Round,
            SeedId = work.Seed.Id,
            Strategy = work.Strategy,
            StrategyScore = work.Pick.Score,
            Slot = work.Slot,
            Attempt = 1,
        },
        SampleId = RunPlan.SampleId(work.Round, work.Slot),
        Candidate = Spec.Mode == Contracts.V1.GenerationMode.Overgenerate,
        SkipDuplicateCheck = true, // the loop drops repeats in slot order (ActiveLoop), whatever order the calls finish in
    };

    private static GenerationResult ToCore(GenerateResult result)
    {
        var spent = result.Usage.ToBudget();
        var billed = result.Usage.ToBilling();
        return result.OutcomeCase == GenerateResult.OutcomeOneofCase.Sample
            ? new GenerationResult(result.Sample.ToTaskItem(), null, null, spent, [.. result.Sample.Lineage?.TeacherCallIds ?? []], billed)
            : new GenerationResult(null, (result.Drop?.Reason ?? DropReason.Unspecified).ProtoName(), result.Drop?.Detail, spent,
                [.. result.Drop?.TeacherCallIds ?? []], billed);
    }

    public async Task<TrainOutcome> TrainAsync(string key, int round, CheckpointHandle from, IReadOnlyList<KeptSample> samples, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(samples);
        using var activity = run.Tracer.StartStage(round, "train");
        var dataset = await WriteDatasetAsync(round, samples, ct).ConfigureAwait(false);
        var request = new TrainRequest
        {
            RunId = run.RunId,
            Round = round,
            RequestId = "train",
            Dataset = dataset,
            SampleCount = samples.Count,
            Options = run.Plan.TrainingFor(round),
            Student = Spec.Student ?? new StudentSpec(),
            TestSet = run.TestSet.ToContract(),
        };
        request.SampleIds.AddRange(samples.Select(s => s.Item.Id));
        if (await BaseCheckpointAsync(ct).ConfigureAwait(false) is { } baseCheckpoint)
        {
            request.BaseCheckpoint = baseCheckpoint;
        }
        if (round > 1)
        {
            request.PreviousCheckpoint = from.ToContract();
        }
        var result = await transport.RequestAsync<TrainRequest, TrainResult>(WorkKind.Train, key, request, ct).ConfigureAwait(false);
        Check(result.Failure, "training");
        run.EvalSeconds[round] = result.EvalDuration?.ToTimeSpan().TotalSeconds ?? 0;
        run.Tracer.EndRound(round);
        return new TrainOutcome(result.Checkpoint.ToHandle(), result.TrainLoss, result.Evaluation.ToCore());
    }

    /// <summary>The base checkpoint from round 0's result: remembered, or read back from the transport's stored results after a restart.</summary>
    private async Task<CheckpointRef?> BaseCheckpointAsync(CancellationToken ct)
    {
        run.BaseCheckpoint ??= (await transport.TryGetStoredAsync<TrainResult>(run.RunId, $"{run.RunId}/0/base", ct).ConfigureAwait(false))?.Checkpoint;
        return run.BaseCheckpoint;
    }

    /// <summary>All kept samples so far as Sample JSON lines, at a path fixed per run and round (rewriting it gives the same bytes).</summary>
    private async Task<ArtifactRef> WriteDatasetAsync(int round, IReadOnlyList<KeptSample> samples, CancellationToken ct)
    {
        var path = string.Create(CultureInfo.InvariantCulture, $"runs/{run.RunId}/datasets/r{round}.jsonl");
        var sha = await artifacts.WriteAsync(path, async (stream, token) =>
        {
            await using var writer = new StreamWriter(stream, leaveOpen: true);
            foreach (var sample in samples)
            {
                await writer.WriteLineAsync(JsonFormatter.Default.Format(sample.ToContract(run.RunId)).AsMemory(), token).ConfigureAwait(false);
            }
        }, ct).ConfigureAwait(false);
        return new ArtifactRef { Path = path, Sha256 = sha, SizeBytes = new FileInfo(artifacts.Resolve(path)).Length, MediaType = "application/jsonl" };
    }

    private static void Check(string failure, string what)
    {
        if (!string.IsNullOrEmpty(failure))
        {
            throw new WorkerFailedException($"{what} failed: {failure}");
        }
    }

    /// <summary>The round of a loop key <c>&lt;run&gt;/&lt;round&gt;/...</c>.</summary>
    private static int RoundOf(string key)
    {
        var parts = key.Split('/');
        return parts.Length > 1 && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var round) ? round : 0;
    }
}
