namespace ActiveSynth.Student.HuggingFace;

/// <summary>A Hugging Face checkpoint directory that cannot be used; the message names the file and, where known, the field or tensor.</summary>
public sealed class HfCheckpointException : Exception
{
    public HfCheckpointException(string file, string message, Exception? inner = null) : base($"{file}: {message}", inner)
    {
        File = file;
    }

    /// <summary>The file that is wrong or missing (full path).</summary>
    public string File { get; }
}
