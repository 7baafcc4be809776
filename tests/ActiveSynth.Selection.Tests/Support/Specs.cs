using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Contracts.V1;

namespace ActiveSynth.Selection.Tests.Support;

internal static class Specs
{
    /// <summary>A small valid spec: 40 seeds, 24 test items, m = 4, 3 rounds.</summary>
    public static RunSpec Small(string strategy = "loss-high", int rounds = 3)
    {
        var spec = DefaultRunSpec.Create();
        spec.Name = "test";
        spec.Task.SeedPoolSize = 40;
        spec.Task.TestSetSize = 24;
        spec.SamplesPerRound = 4;
        spec.MaxRounds = rounds;
        spec.Budget = new Budget { MaxSamples = 4L * rounds };
        spec.Strategy = new StrategySpec { Name = strategy };
        return spec;
    }
}
