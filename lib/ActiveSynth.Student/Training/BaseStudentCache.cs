using System.Diagnostics;
using System.Globalization;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.Modeling;
using ActiveSynth.Student.Tokenization;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Training;

/// <summary>The base checkpoint and whether this call pretrained it (false: it came from the cache).</summary>
public sealed record BaseStudentResult(CheckpointInfo Checkpoint, bool Pretrained, TrainingReport? Pretraining);

/// <summary>
/// The embedded default's base student: pretrained once per <see cref="BaseStudentSpec"/> on generic family text and
/// cached in the artifact store at <c>bases/&lt;hash&gt;</c> (weights, tokenizer, config, optimizer state and the
/// replay pool). Later calls with the same spec load it from there. Concurrent callers in one process pretrain once.
/// </summary>
public sealed class BaseStudentCache(CheckpointStore checkpoints)
{
    private static readonly SemaphoreSlim Gate = new(1, 1);

    public CheckpointStore Checkpoints { get; } = checkpoints ?? throw new ArgumentNullException(nameof(checkpoints));

    public static string PathFor(BaseStudentSpec spec, CharTokenizer tokenizer) => $"bases/{spec.Hash(tokenizer.Alphabet)}";

    public async Task<BaseStudentResult> GetOrCreateAsync(BaseStudentSpec spec, IReadOnlyCollection<ITaskFamily> families, Device device,
        CharTokenizer? tokenizer = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(families);
        spec.Validate();
        tokenizer ??= CharTokenizer.Default;
        var path = PathFor(spec, tokenizer);
        if (await Checkpoints.ExistsAsync(path, ct).ConfigureAwait(false))
        {
            await Checkpoints.EnsurePublishedAsync(path, ct).ConfigureAwait(false);
            return new BaseStudentResult(await Checkpoints.ReadInfoAsync(path, ct).ConfigureAwait(false), false, null);
        }
        await Gate.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (await Checkpoints.ExistsAsync(path, ct).ConfigureAwait(false))
            {
                return new BaseStudentResult(await Checkpoints.ReadInfoAsync(path, ct).ConfigureAwait(false), false, null);
            }
            var generator = PretrainingItems(spec, families);
            using var model = StudentModel.Create(spec.Model with { VocabSize = tokenizer.VocabSize }, tokenizer, device, spec.Seed);
            var settings = spec.PretrainingSettings();
            using var optimizer = StudentOptimizer.Create(model, settings);
            var sampler = new TrainingBatchSampler([], generator, 1.0, spec.BatchSize, spec.Seed + 2000);
            var report = StudentTrainer.Train(model, optimizer, settings, sampler, ct);
            var replayRng = new Random(unchecked((int)spec.Seed) + 4000);
            var replay = Enumerable.Range(0, spec.ReplayPoolSize).Select(_ => generator(replayRng)).ToList();
            var metadata = new CheckpointMetadata
            {
                Id = $"base-{spec.Hash(tokenizer.Alphabet)}",
                IsBase = true,
                Properties = new Dictionary<string, string>
                {
                    ["pretrain_seconds"] = report.Duration.TotalSeconds.ToString("F1", CultureInfo.InvariantCulture),
                    ["pretrain_steps"] = report.Steps.ToString(CultureInfo.InvariantCulture),
                    ["pretrain_final_loss"] = report.FinalLoss.ToString("F4", CultureInfo.InvariantCulture),
                    ["parameters"] = model.Network.ParameterCount().ToString(CultureInfo.InvariantCulture),
                    ["families"] = string.Join(",", spec.Families),
                    ["difficulties"] = string.Join(",", spec.Difficulties),
                    ["threads"] = get_num_threads().ToString(CultureInfo.InvariantCulture),
                },
            };
            var info = await Checkpoints.SaveAsync(path, model, optimizer, metadata, replay, ct).ConfigureAwait(false);
            return new BaseStudentResult(info, true, report);
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>Fresh pretraining items: a uniform family from the spec, a uniform difficulty from the spec.</summary>
    public static Func<Random, TaskItem> PretrainingItems(BaseStudentSpec spec, IReadOnlyCollection<ITaskFamily> families)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(families);
        var byName = families.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var missing = spec.Families.Where(f => !byName.ContainsKey(f)).ToList();
        if (missing.Count > 0)
        {
            throw new BaseUnavailableException(
                $"Cannot pretrain the base: task families [{string.Join(", ", missing)}] are not registered (registered: [{string.Join(", ", byName.Keys)}]).");
        }
        var chosen = spec.Families.Select(f => byName[f]).ToArray();
        var counter = 0L;
        return rng =>
        {
            var family = chosen[rng.Next(chosen.Length)];
            var difficulty = Math.Clamp(spec.Difficulties[rng.Next(spec.Difficulties.Count)], family.MinDifficulty, family.MaxDifficulty);
            return family.Generate($"pre-{Interlocked.Increment(ref counter)}", difficulty, rng);
        };
    }
}
