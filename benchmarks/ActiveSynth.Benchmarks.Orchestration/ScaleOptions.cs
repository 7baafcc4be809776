using System.Globalization;

namespace ActiveSynth.Benchmarks.Orchestration;

/// <summary>Options of <c>scale</c> (see <see cref="ScaleOnDeployment"/>); every one has a default, so no option runs the full grid.</summary>
internal sealed record ScaleOptions
{
    public IReadOnlyList<int> Pools { get; init; } = [400, 2_000, 7_500];

    /// <summary>GSM8K's test size.</summary>
    public int TestSize { get; init; } = 1_319;

    public IReadOnlyList<string> Strategies { get; init; } = ["loss-high", "badge", "coreset", "judge-hard"];

    public IReadOnlyList<int> Replicas { get; init; } = [1, 2];

    public int Rounds { get; init; } = 2;

    public int SamplesPerRound { get; init; } = 64;

    /// <summary>Training steps per round (not what is measured: few keep a cell short).</summary>
    public int TrainSteps { get; init; } = 5;

    /// <summary>Small runs finished before the empty-vs-finished Redis comparison (0 skips it).</summary>
    public int FinishedRuns { get; init; } = 20;

    /// <summary>Scoring consumer batch (<c>Messaging:Consumers:scoring:BatchSize</c>): 1 lets each replica take one chunk at a time.</summary>
    public int ScoringBatch { get; init; } = 1;

    public long Seed { get; init; } = 1;

    public string Output { get; init; } = Path.Combine("benchmarks", "results", "scale.json");

    public const string Usage = """
        usage: scale [--pools 400,2000,7500] [--test-size 1319] [--strategies loss-high,badge,coreset,judge-hard]
                     [--replicas 1,2] [--rounds 2] [--samples 64] [--train-steps 5] [--finished-runs 20]
                     [--scoring-batch 1] [--seed 1] [--output benchmarks/results/scale.json]
        """;

    /// <summary>The options, or null with the reason in <paramref name="error"/>.</summary>
    public static ScaleOptions? Parse(IReadOnlyList<string> args, out string? error)
    {
        var options = new ScaleOptions();
        error = null;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            if (name is "-h" or "--help")
            {
                error = "";
                return null;
            }
            if (i + 1 >= args.Count)
            {
                error = $"{name} needs a value";
                return null;
            }
            var value = args[++i];
            try
            {
                options = name switch
                {
                    "--pools" => options with { Pools = Ints(value) },
                    "--test-size" => options with { TestSize = Positive(value) },
                    "--strategies" => options with { Strategies = value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) },
                    "--replicas" => options with { Replicas = Ints(value) },
                    "--rounds" => options with { Rounds = Positive(value) },
                    "--samples" => options with { SamplesPerRound = Positive(value) },
                    "--train-steps" => options with { TrainSteps = Positive(value) },
                    "--finished-runs" => options with { FinishedRuns = int.Parse(value, CultureInfo.InvariantCulture) },
                    "--scoring-batch" => options with { ScoringBatch = Positive(value) },
                    "--seed" => options with { Seed = long.Parse(value, CultureInfo.InvariantCulture) },
                    "--output" => options with { Output = value },
                    _ => throw new ArgumentException($"unknown option {name}"),
                };
            }
            catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
            {
                error = ex is ArgumentException ? ex.Message : $"{name}: bad value '{value}'";
                return null;
            }
        }
        if (options.Pools.Count == 0 || options.Strategies.Count == 0 || options.Replicas.Count == 0 || options.FinishedRuns < 0)
        {
            error = "--pools, --strategies and --replicas need at least one value; --finished-runs must be >= 0";
            return null;
        }
        return options;
    }

    private static int[] Ints(string value) =>
        [.. value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(Positive)];

    private static int Positive(string value)
    {
        var n = int.Parse(value, NumberStyles.AllowThousands, CultureInfo.InvariantCulture);
        return n > 0 ? n : throw new ArgumentException($"'{value}' must be a positive number");
    }
}
