using TorchSharp.Modules;

namespace ActiveSynth.Student.Training;

/// <summary>
/// An AdamW optimizer's state (per-parameter moments and step counts) as bytes, in TorchSharp's optimizer state
/// format: what a checkpoint keeps as <c>optimizer.bin</c> so the next round does not restart from zero moments.
/// </summary>
public static class OptimizerState
{
    public static byte[] Save(AdamW optimizer)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        using var stream = new MemoryStream();
        using (var writer = new BinaryWriter(stream, System.Text.Encoding.UTF8, leaveOpen: true))
        {
            optimizer.save_state_dict(writer);
        }
        return stream.ToArray();
    }

    /// <exception cref="InvalidDataException">The bytes are not the state of an optimizer over these parameters.</exception>
    public static void Load(AdamW optimizer, byte[] state)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(state);
        try
        {
            using var stream = new MemoryStream(state);
            using var reader = new BinaryReader(stream);
            optimizer.load_state_dict(reader);
        }
        catch (Exception ex) when (ex is EndOfStreamException or ArgumentException or InvalidOperationException or IOException)
        {
            throw new InvalidDataException($"not the AdamW state of these parameters ({ex.Message})", ex);
        }
    }
}
