using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using Grpc.Core;

namespace ActiveSynth.Chaos.Tests;

/// <summary>
/// One small run through the Selection service's Runs API: 3 rounds of 8 samples (budget 24 samples; max_rounds leaves room
/// for a round that makes up for drops, so the run ends on its sample budget), 10 training steps a round unless told. Polling tolerates a
/// Selection service that is down (the fault under test), within the caller's deadline.
/// </summary>
public sealed class ChaosRun(Runs.RunsClient runs, string id)
{
    public const int SamplesPerRound = 8;
    public const long BudgetSamples = 24;

    public string Id { get; } = id;

    /// <summary>The embedded recipe at a small size: a sample budget a few rounds can meet, at most 6 rounds.</summary>
    public static RunSpec Spec(string name, int trainSteps, int seedPoolSize = 48, TeacherKind teacher = TeacherKind.Embedded)
    {
        var spec = EmbeddedRecipe.Spec("loss-high", randomSeed: 11, SamplesPerRound, maxRounds: 6, seedPoolSize, testSetSize: 24);
        spec.Name = name;
        spec.Teacher = new TeacherSpec { Kind = teacher };
        spec.Budget = new Budget { MaxSamples = BudgetSamples };
        spec.Training.Steps = trainSteps;
        return spec;
    }

    /// <param name="trainSteps">Optimizer steps a round (10 takes about a second here); more keeps a round's training in flight longer.</param>
    /// <param name="seedPoolSize">Seeds scored each round; a larger pool keeps the score stage in flight longer.</param>
    /// <param name="teacher">The embedded teacher, or the fixture's OpenAI-compatible fake endpoint.</param>
    public static async Task<ChaosRun> StartAsync(Runs.RunsClient runs, string fault, int trainSteps = 10, int seedPoolSize = 48,
        TeacherKind teacher = TeacherKind.Embedded)
    {
        var id = $"chaos-{fault}-{Guid.NewGuid():N}"[..28];
        await runs.StartRunAsync(new StartRunRequest { RunId = id, Spec = Spec(fault, trainSteps, seedPoolSize, teacher) }, deadline: DateTime.UtcNow.AddSeconds(60));
        return new ChaosRun(runs, id);
    }

    /// <summary>GetRun, or null while the Selection service does not answer.</summary>
    public async Task<Run?> TryGetAsync()
    {
        try
        {
            return await runs.GetRunAsync(new GetRunRequest { RunId = Id }, deadline: DateTime.UtcNow.AddSeconds(10));
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded or StatusCode.Internal or StatusCode.Unknown)
        {
            return null;
        }
    }

    /// <summary>Polls until <paramref name="condition"/> holds; fails naming the run and its last known state when it does not in time.</summary>
    public async Task<Run> WaitUntilAsync(Func<Run, bool> condition, TimeSpan timeout, string what, int pollMilliseconds = 100)
    {
        var deadline = DateTime.UtcNow + timeout;
        Run? last = null;
        while (DateTime.UtcNow < deadline)
        {
            if (await TryGetAsync() is { } run)
            {
                last = run;
                if (condition(run))
                {
                    return run;
                }
                if (run.State is RunState.Failed or RunState.Cancelled || (run.State == RunState.Completed && what != "to finish"))
                {
                    break;
                }
            }
            await Task.Delay(pollMilliseconds);
        }
        Assert.Fail($"run {Id} did not get {what} within {timeout.TotalSeconds:0} s: last seen {Describe(last)}");
        return null!;
    }

    public Task<Run> WaitForStageAsync(int round, RunStage stage, TimeSpan timeout) =>
        WaitUntilAsync(r => r.State == RunState.Running && (r.Round > round || (r.Round == round && r.Stage >= stage)),
            timeout, $"to round {round} stage {stage}", pollMilliseconds: 20);

    public Task<Run> WaitFinishedAsync(TimeSpan timeout) =>
        WaitUntilAsync(r => r.State is RunState.Completed or RunState.Failed or RunState.Cancelled && r.Report is { Path.Length: > 0 },
            timeout, "to finish");

    public static string Describe(Run? run) => run is null
        ? "never answered"
        : $"state {run.State}, round {run.Round}, stage {run.Stage}, kept {run.Usage?.SamplesKept}, dropped {run.Usage?.SamplesDropped}, " +
          $"stop '{run.StopReason}', failure '{run.FailureReason}'";
}
