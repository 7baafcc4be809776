using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using ActiveSynth.Core.Selection;
using ActiveSynth.Engine.Specs;

namespace ActiveSynth.Engine.Tests;

/// <summary>The one mapping between the loop's signal needs and the contract's signal kinds, and the report's stage times.</summary>
public sealed class LoopContractMappingTests
{
    [Fact]
    public void Every_student_signal_has_one_contract_kind_and_comes_back_unchanged()
    {
        var studentSignals = Enum.GetValues<SignalNeeds>().Where(s => s != SignalNeeds.None && (s & SignalNeedsExtensions.StudentComputed) == s).ToList();
        Assert.Equal(7, studentSignals.Count);
        foreach (var signal in studentSignals)
        {
            var kinds = signal.ToContract().ToList();
            Assert.Single(kinds);
            Assert.NotEqual(SignalKind.Unspecified, kinds[0]);
            Assert.Equal(signal, kinds.ToCore());
        }
        Assert.Equal(SignalNeedsExtensions.StudentComputed, SignalNeedsExtensions.StudentComputed.ToContract().ToCore());
        Assert.Equal(Enum.GetValues<SignalKind>().Length - 1, SignalNeedsExtensions.StudentComputed.ToContract().Distinct().Count());
    }

    [Fact]
    public void Judged_signals_never_reach_the_scorer()
    {
        Assert.Empty(SignalNeedsExtensions.Judged.ToContract());
    }

    [Fact]
    public void A_train_stage_reports_its_evaluation_as_its_own_stage()
    {
        var times = RunArtifacts.StageTimes(LoopStage.Train, 2, TimeSpan.FromSeconds(10), new Dictionary<int, double> { [2] = 3 });

        Assert.Equal([new StageTime(2, "TRAIN", 7), new StageTime(2, "EVALUATE", 3)], times);
    }
}
