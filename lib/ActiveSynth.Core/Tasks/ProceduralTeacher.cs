namespace ActiveSynth.Core.Tasks;

/// <summary>
/// Writes a question "like" a seed, the way the embedded benchmark's procedural teacher does
/// (the v7 recipe, docs/architecture.md): same family, same difficulty, moved by ±1 with probability
/// <see cref="DefaultJumpProbability"/> (clipped to the family's range).
/// </summary>
public static class ProceduralTeacher
{
    public const double DefaultJumpProbability = 0.1;

    /// <summary>A new item of <paramref name="family"/> near <paramref name="seedDifficulty"/>.</summary>
    public static TaskItem Like(ITaskFamily family, int seedDifficulty, string id, Random rng, double jumpProbability = DefaultJumpProbability)
    {
        ArgumentNullException.ThrowIfNull(family);
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(jumpProbability, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(jumpProbability, 1);
        var difficulty = Math.Clamp(seedDifficulty, family.MinDifficulty, family.MaxDifficulty);
        if (rng.NextDouble() < jumpProbability)
        {
            difficulty = Math.Clamp(difficulty + (rng.Next(2) == 0 ? -1 : 1), family.MinDifficulty, family.MaxDifficulty);
        }
        return family.Generate(id, difficulty, rng);
    }
}
