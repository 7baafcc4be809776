namespace ActiveSynth.Core.Selection.Strategies;

/// <summary>
/// <c>loss-high-fam</c>: own-answer NLL ranked within each task family, so that no family's NLL scale
/// (numeric answers carry more entropy per token than copy-style ones) takes the whole budget.
/// <list type="bullet">
/// <item><see cref="FamilyRankMode.RoundRobin"/> (default, the spike's loss-high-rr): turn 1 takes every
/// family's highest-NLL candidate, turn 2 every family's second, and so on; within a turn the higher NLL goes
/// first, so a remainder (m not a multiple of the family count) goes to the families with the highest NLL at
/// that rank. An exhausted family drops out. Pick.Score = OwnNll.</item>
/// <item><see cref="FamilyRankMode.ZScore"/>: NLL z-scored within its family (population std + 1e-6; a
/// family of one scores 0), then the global top-m. Pick.Score = the z-score.</item>
/// </list>
/// Ties go to the smaller id (ordinal). Family names compare ordinally.
/// </summary>
public sealed class LossHighFamilyStrategy(FamilyRankMode mode = FamilyRankMode.RoundRobin) : ISelectionStrategy
{
    public const string StrategyName = "loss-high-fam";

    public string Name => StrategyName;

    public SignalNeeds Needs => SignalNeeds.OwnNll;

    public FamilyRankMode Mode { get; } = Enum.IsDefined(mode) ? mode : throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown family rank mode.");

    public IReadOnlyList<Pick> Select(IReadOnlyList<CandidateSignals> candidates, int count, Random rng)
    {
        var sorted = SelectionInput.Canonical(candidates, count, rng);
        if (sorted is null)
        {
            return [];
        }
        var nll = SelectionInput.Scalars(sorted, StrategyName, nameof(CandidateSignals.OwnNll), static c => c.OwnNll);
        var families = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < sorted.Length; i++)
        {
            var family = sorted[i].Family ?? string.Empty;
            if (!families.TryGetValue(family, out var members))
            {
                families[family] = members = [];
            }
            members.Add(i);
        }

        // Primary key: the within-family rank (round-robin) or 0 (z-score); then the score, highest first.
        var turn = new int[sorted.Length];
        var score = Mode == FamilyRankMode.RoundRobin ? nll : new double[sorted.Length];
        foreach (var members in families.Values)
        {
            if (Mode == FamilyRankMode.RoundRobin)
            {
                var ranked = members.ToArray();
                Array.Sort(ranked, (a, b) => nll[b].CompareTo(nll[a]) is var c && c != 0 ? c : a.CompareTo(b));
                for (var r = 0; r < ranked.Length; r++)
                {
                    turn[ranked[r]] = r;
                }
            }
            else
            {
                var mean = members.Average(i => nll[i]);
                var sd = Math.Sqrt(members.Average(i => (nll[i] - mean) * (nll[i] - mean))) + 1e-6;
                foreach (var i in members)
                {
                    score[i] = (nll[i] - mean) / sd;
                }
            }
        }
        var order = new int[sorted.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, (a, b) =>
        {
            var c = turn[a].CompareTo(turn[b]);
            if (c == 0)
            {
                c = score[b].CompareTo(score[a]);
            }
            return c != 0 ? c : a.CompareTo(b);
        });
        var picks = new Pick[Math.Min(count, sorted.Length)];
        for (var r = 0; r < picks.Length; r++)
        {
            picks[r] = new Pick(sorted[order[r]].Id, score[order[r]]);
        }
        return picks;
    }
}
