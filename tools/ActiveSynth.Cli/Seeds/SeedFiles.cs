using ActiveSynth.Core.Datasets;
using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Cli.Seeds;

/// <summary>
/// Reads a seed or test file in either format the command line takes: Parquet (a <c>.parquet</c> name, or a file that
/// starts with Parquet's magic bytes <c>PAR1</c>) or GSM8K JSONL (anything else). Both report every bad line or row in one
/// <see cref="Gsm8kFormatException"/> and return nothing when any is bad.
/// </summary>
internal static class SeedFiles
{
    private static readonly byte[] ParquetMagic = "PAR1"u8.ToArray();

    public static async Task<IReadOnlyList<TaskItem>> ImportAsync(string path, Gsm8kImportOptions options, CancellationToken ct) =>
        IsParquet(path) ? await ParquetSeeds.ImportFileAsync(path, options, ct) : Gsm8kJsonl.ImportFile(path, options);

    public static bool IsParquet(string path)
    {
        if (path.EndsWith(".parquet", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }
        using var stream = File.OpenRead(path);
        Span<byte> head = stackalloc byte[4];
        return stream.ReadAtLeast(head, 4, throwOnEndOfStream: false) == 4 && head.SequenceEqual(ParquetMagic);
    }
}
