using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;

namespace ActiveSynth.Benchmarks.Orchestration;

/// <summary>The default run's recipe (copy/rev/shift, loss-high, 4 rounds of 64): one RunSpec for both sides.</summary>
internal static class Spec
{
    public const int Rounds = 4;
    public const int SamplesPerRound = 64;
    public const long Seed = 1;

    public static string Description => $"the embedded recipe ({EmbeddedRecipe.Name}): copy,rev,shift d1-4, pool 400, test 120, loss-high, {Rounds} rounds x {SamplesPerRound}, base cached";

    public static RunSpec Proto(int rounds) => EmbeddedRecipe.Spec("loss-high", Seed, SamplesPerRound, rounds);
}
