namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// The decoding fast paths, on by default. Each can be switched off (process-wide) so the decode benchmark measures a
/// step's effect against the path before it in one process; nothing else switches them.
/// </summary>
internal static class DecodePaths
{
    /// <summary><see cref="SmallBatchLinear"/> for projections and the LM head; off: libtorch's linear.</summary>
    public static bool SmallBatchKernel { get; set; } = true;

    /// <summary>A decoding step's attention by grouped broadcast against the cache; off: repeat the cache per group, then libtorch's attention.</summary>
    public static bool GroupedStepAttention { get; set; } = true;
}
