namespace ActiveSynth.Core.Students;

/// <summary>
/// The model shapes the embedded student can be built with: one definition for the student library (its model config and the
/// Training service's base settings validate against it) and for the engine (StartRun refuses a spec beyond it, naming the
/// limit), so a run is never accepted that every Training replica would then fail. A Hugging Face student's shape comes from
/// its config.json and is checked where it is loaded.
/// </summary>
public static class EmbeddedStudentShapeLimits
{
    public const int MinDModel = 8;
    public const int MaxDModel = 8_192;
    public const int MaxLayers = 64;
    public const int MaxHeads = 64;
    public const int MaxFeedForward = 65_536;
    public const int MinContext = 8;
    public const int MaxContext = 65_536;
}
