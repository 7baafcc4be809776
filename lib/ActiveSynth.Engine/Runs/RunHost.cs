using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using Google.Protobuf.WellKnownTypes;

namespace ActiveSynth.Engine.Runs;

/// <summary>
/// Runs runs, whichever transport carries their work: creates a run from its spec (plan, seed pool, test set), executes its loop
/// from wherever its stored state stands through the request workers, records it as it goes (durable saves, stage times,
/// checkpoints, progress events) and finishes it (report, last event). The Selection service hosts its runs here over Redis
/// streams with a Redis store, the CLI's <c>run --local</c> in its own process with a <see cref="FileRunStore"/>; the same spec
/// is the same experiment either way.
/// </summary>
/// <param name="store">Where the runs are kept.</param>
/// <param name="artifacts">The artifact store the runs' test sets, datasets and checkpoints are in.</param>
/// <param name="planOptions">The run-shaping settings of the deployment (chunk sizes, parallelism, reservations).</param>
/// <param name="transportFor">How the work of a run (by id) reaches its handlers.</param>
/// <param name="writeReport">Writes a finished run's report files (the deployment's and the CLI's report writer).</param>
/// <param name="listener">Logs, metrics and traces; none when null.</param>
public sealed class RunHost(
    IRunStore store,
    ArtifactStore artifacts,
    RunPlanOptions planOptions,
    Func<string, IWorkTransport> transportFor,
    Func<StoredRun, CancellationToken, Task<ReportArtifacts>> writeReport,
    IRunListener? listener = null)
{
    internal IRunStore Store => store;

    internal IRunListener Listener { get; } = listener ?? NoRunListener.Instance;

    /// <summary>
    /// The plan of <paramref name="spec"/>: throws <see cref="SpecValidationException"/> naming every bad field, or a cost limit
    /// that could never bind under <paramref name="pricing"/>.
    /// </summary>
    public RunPlan Plan(RunSpec? spec, TeacherPricing? pricing)
    {
        var plan = RunPlan.Create(spec, planOptions);
        CostLimitCheck.ThrowIfUnbound(plan.Spec, pricing);
        return plan;
    }

    /// <summary>
    /// Creates run <paramref name="runId"/> from <paramref name="spec"/> (see <see cref="Plan"/> for what is refused): builds its
    /// seed pool and test set, stores it pending (with the spec as given) and appends its first event. Null when the id is taken
    /// (nothing stored).
    /// </summary>
    public async Task<StoredRun?> CreateAsync(string runId, RunSpec? spec, TeacherPricing? pricing, CancellationToken ct)
    {
        var plan = Plan(spec, pricing); // a missing spec is refused here
        return await CreateAsync(runId, spec!, plan, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Run <paramref name="runId"/> as <paramref name="spec"/> says, for a command that names a run and its spec each time: the
    /// stored run under this spec (a cancelled one reopened, to be continued), else a new one. The spec is stored as it runs
    /// (<see cref="RunPlan.Spec"/>: the recipe's defaults filled in), which is what the run's report then shows.
    /// </summary>
    public async Task<StoredRun> OpenAsync(string runId, RunSpec spec, TeacherPricing? pricing, CancellationToken ct)
    {
        var plan = Plan(spec, pricing);
        if (await store.GetAsync(runId, ct).ConfigureAwait(false) is not { } stored)
        {
            return await CreateAsync(runId, plan.Spec, plan, ct).ConfigureAwait(false) ?? throw new InvalidOperationException($"Run {runId} was created concurrently.");
        }
        var run = stored with { Spec = plan.Spec };
        await store.SaveSpecAsync(runId, run.Spec, ct).ConfigureAwait(false);
        if (run.State.Status == RunStatus.Cancelled)
        {
            run.Reopen();
            await store.SaveAsync(run.State, run.Meta, ct).ConfigureAwait(false);
        }
        return run;
    }

    /// <summary>
    /// Executes run <paramref name="runId"/> from its stored state until it finishes, then finishes it (<see cref="FinishAsync"/>).
    /// When <paramref name="ct"/> is cancelled, <paramref name="cancelReason"/> says why: a reason for a user's cancel (the run
    /// ends cancelled, reporting what it did), null for a shutdown (the run stays running where it was last saved, to be
    /// resumed). An unavailable store interrupts the run without failing it: the host waits for the store, then resumes it from its
    /// last durable save. <paramref name="progress"/> hears the loop after the host has recorded each step. Returns the run as
    /// it ended (or paused).
    /// </summary>
    public async Task<StoredRun> ExecuteAsync(string runId, Func<string?> cancelReason, IRunObserver? progress, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(cancelReason);
        while (true)
        {
            try
            {
                return await ExecuteStoredAsync(runId, cancelReason, progress, ct).ConfigureAwait(false);
            }
            catch (Exception ex) when (store.IsUnavailable(ex) && !ct.IsCancellationRequested)
            {
                Listener.Interrupted(runId, ex);
                await store.WaitUntilAvailableAsync(ct).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Finishes a run whatever its final state (a cancelled or failed run reports what it did): writes its report unless it has
    /// one, appends its last event (RunFinished) and lets the store release what the run no longer needs.
    /// </summary>
    public async Task FinishAsync(StoredRun run, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(run);
        var (state, meta) = (run.State, run.Meta);
        meta.FinishedAt ??= DateTimeOffset.UtcNow;
        if (meta.Report is null)
        {
            await WriteReportAsync(run, ct).ConfigureAwait(false);
            await store.SaveAsync(state, meta, ct).ConfigureAwait(false);
        }
        if (meta.Report is not null)
        {
            Listener.ReportWritten(run);
        }
        Listener.Finished(run);
        var final = state.Curve.LastOrDefault();
        var view = run.ToContract(RunView.Basic);
        await AppendEventAsync(run.Id, state.Round, e =>
        {
            e.RunFinished = view.ToRunFinished();
            if (final is not null)
            {
                e.RunFinished.FinalPoint = final.ToContract(meta, meta.TestItems);
            }
        }, ct).ConfigureAwait(false);
        await store.ReleaseAsync(run, ct).ConfigureAwait(false);
    }

    /// <summary>Writes the run's report into its metadata; a report that cannot be written is told to the listener.</summary>
    internal async Task WriteReportAsync(StoredRun run, CancellationToken ct)
    {
        try
        {
            run.Meta.Report = await writeReport(run, ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException or ArgumentException)
        {
            Listener.ReportFailed(run, ex);
        }
    }

    /// <summary>Appends an event of the run (its time now), filled by <paramref name="fill"/>.</summary>
    internal Task AppendEventAsync(string runId, int round, Action<RunEvent> fill, CancellationToken ct)
    {
        var @event = new RunEvent { RunId = runId, At = Timestamp.FromDateTime(DateTime.UtcNow), Round = round };
        fill(@event);
        return store.AppendEventAsync(@event, ct);
    }

    private async Task<StoredRun?> CreateAsync(string runId, RunSpec spec, RunPlan plan, CancellationToken ct)
    {
        var (seeds, test) = plan.BuildTaskSets(artifacts);
        var testSet = await RunArtifacts.WriteTestSetAsync(artifacts, runId, test, ct).ConfigureAwait(false);
        var now = DateTimeOffset.UtcNow;
        var run = new StoredRun(runId, spec, new LoopState { RunId = runId, Seeds = [.. seeds] },
            new RunMeta { CreatedAt = now, UpdatedAt = now, TestSet = testSet, TestItems = test.Count });
        if (!await store.CreateAsync(run, ct).ConfigureAwait(false))
        {
            return null;
        }
        await AppendEventAsync(runId, 0, e => e.StateChanged = new RunStateChanged
        {
            Previous = Contracts.V1.RunState.Unspecified,
            Current = Contracts.V1.RunState.Pending,
            Reason = "accepted",
        }, ct).ConfigureAwait(false);
        return run;
    }

    private async Task<StoredRun> ExecuteStoredAsync(string runId, Func<string?> cancelReason, IRunObserver? progress, CancellationToken ct)
    {
        var run = await store.GetAsync(runId, ct).ConfigureAwait(false) ?? throw new InvalidOperationException($"Run {runId} is not stored.");
        var (state, meta) = (run.State, run.Meta);
        if (run.IsFinished)
        {
            await FinishAsync(run, CancellationToken.None).ConfigureAwait(false); // finished before it was finished off (its report, its last event)
            return run;
        }
        var plan = RunPlan.Create(run.Spec, planOptions);
        var strategy = StrategyRegistry.Create(plan.Loop.Strategy, plan.Loop.StrategyOptions);
        var tracer = Listener.StartTracing(run, strategy.Name);
        try
        {
            var context = new RunWorkContext(runId, plan, meta.TestSet ?? throw new InvalidOperationException($"Run {runId} has no test set."), tracer, meta.EvalSeconds)
            {
                // From the run's own metadata, not from round 0's stored reply: a finished run's replies are deleted, and a
                // resumed one must still train from the same base.
                BaseCheckpoint = meta.Checkpoints.TryGetValue(0, out var baseCheckpoint) ? baseCheckpoint.ToContract() : null,
            };
            var workers = new RequestLoopWorkers(context, transportFor(runId), artifacts);
            await AnnounceStartAsync(run, ct).ConfigureAwait(false);
            try
            {
                await new ActiveLoop(plan.Loop, strategy, workers, new RunRecorder(this, run, progress), store.IsUnavailable).RunAsync(state, ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested && cancelReason() is null)
            {
                state.Status = RunStatus.Running; // a shutdown, not a cancel: resume at the next start
                state.StopReason = null;
                meta.FinishedAt = null;
                meta.Report = null;
                await store.SaveAsync(state, meta, CancellationToken.None).ConfigureAwait(false);
                Listener.Paused(run);
                return run;
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                meta.CancelReason = cancelReason();
                await store.SaveAsync(state, meta, CancellationToken.None).ConfigureAwait(false);
                Listener.Cancelled(run);
            }
            catch (Exception ex) when (state.Status == RunStatus.Failed)
            {
                Listener.Failed(run, ex);
            }
        }
        finally
        {
            (tracer as IDisposable)?.Dispose();
        }
        await FinishAsync(run, CancellationToken.None).ConfigureAwait(false);
        return run;
    }

    private async Task AnnounceStartAsync(StoredRun run, CancellationToken ct)
    {
        var state = run.State;
        Listener.Started(run, resumed: state.Curve.Count > 0 || state.Stage != LoopStage.Evaluate0);
        var previous = state.Status.ToContract();
        await AppendEventAsync(run.Id, state.Round, e => e.StateChanged = new RunStateChanged
        {
            Previous = previous,
            Current = Contracts.V1.RunState.Running,
            Reason = previous == Contracts.V1.RunState.Pending ? "started" : "resumed",
        }, ct).ConfigureAwait(false);
    }
}
