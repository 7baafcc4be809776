using System.Text.Json;
using System.Text.Json.Nodes;
using ActiveSynth.Student.Checkpoints;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// Writes an <see cref="HfStudent"/> as a Hugging Face checkpoint directory that transformers' <c>AutoModelForCausalLM</c>
/// and <c>AutoTokenizer</c> read: <c>config.json</c>, <c>model.safetensors</c> (transformers' parameter names, F32; LoRA
/// adapters, if attached, merged into their projections), <c>tokenizer.json</c>, <c>tokenizer_config.json</c> (chat
/// template) and <c>generation_config.json</c>. The files are written into a staging directory that is then renamed to
/// <paramref name="directory"/>, so a reader never sees half a checkpoint.
/// </summary>
public static class HfCheckpointWriter
{
    // Relaxed escaping: special tokens read "<|im_end|>" in the files, as transformers writes them, not "\u003C|im_end|\u003E".
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(HfStudent student, ByteLevelVocabulary vocabulary, string directory)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentException.ThrowIfNullOrWhiteSpace(directory);
        var target = Path.GetFullPath(directory);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
        {
            throw new IOException($"'{directory}' exists and is not empty: a checkpoint is written into a new or empty directory.");
        }
        var parent = Path.GetDirectoryName(target) ?? throw new IOException($"'{directory}' has no parent directory.");
        Directory.CreateDirectory(parent);
        var staging = Path.Combine(parent, $".{Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
        Directory.CreateDirectory(staging);
        try
        {
            File.WriteAllText(Path.Combine(staging, "config.json"), student.Config.ToJson().ToJsonString(Indented));
            File.WriteAllText(Path.Combine(staging, "generation_config.json"), vocabulary.GenerationConfigJson().ToJsonString(Indented));
            File.WriteAllText(Path.Combine(staging, "tokenizer.json"), vocabulary.TokenizerJson().ToJsonString(Indented));
            File.WriteAllText(Path.Combine(staging, "tokenizer_config.json"), vocabulary.TokenizerConfigJson(student.Config.MaxPositions).ToJsonString(Indented));
            using (var stream = File.Create(Path.Combine(staging, "model.safetensors")))
            {
                SafeTensors.Write(stream, Tensors(student), new Dictionary<string, string> { ["format"] = "pt" });
            }
            if (Directory.Exists(target))
            {
                Directory.Delete(target);
            }
            Directory.Move(staging, target);
        }
        catch
        {
            Directory.Delete(staging, recursive: true);
            throw;
        }
    }

    /// <summary>
    /// The state dict transformers expects, in module order: every base parameter by its name, a LoRA-adapted
    /// projection's weight merged with its adapter, the adapters themselves left out.
    /// </summary>
    public static IReadOnlyList<KeyValuePair<string, TorchSharp.torch.Tensor>> Tensors(HfStudent student)
    {
        ArgumentNullException.ThrowIfNull(student);
        var merged = student.Network.Projections().Where(p => p.Linear.HasLora).ToDictionary(p => p.Name + ".weight", p => p.Linear, StringComparer.Ordinal);
        return [.. student.Network.named_parameters()
            .Where(p => !p.name.Contains(".lora_", StringComparison.Ordinal))
            .Select(p => new KeyValuePair<string, TorchSharp.torch.Tensor>(p.name,
                merged.TryGetValue(p.name, out var linear) ? linear.MergedWeight() : p.parameter.detach()))];
    }
}
