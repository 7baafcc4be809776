using System.Text.Json;
using System.Text.Json.Nodes;
using ActiveSynth.Student.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// LoRA adapters on an <see cref="HfStudent"/>: attach (base weights frozen), save and load in the layout PEFT reads
/// (<c>adapter_model.safetensors</c> with keys <c>base_model.model.model.layers.{i}.self_attn.q_proj.lora_A.weight</c>
/// (r,in) and <c>….lora_B.weight</c> (out,r); <c>adapter_config.json</c> with peft_type LORA, r, lora_alpha,
/// lora_dropout, target_modules, task_type CAUSAL_LM, bias none, base_model_name_or_path).
/// </summary>
public static class LoraAdapter
{
    public const string WeightsFile = "adapter_model.safetensors";
    public const string ConfigFile = "adapter_config.json";
    private const string PeftPrefix = "base_model.model.";

    /// <summary>Freezes every base weight and adds an adapter to every targeted projection; returns the adapter parameters (the trainable ones).</summary>
    public static IReadOnlyList<TorchSharp.Modules.Parameter> Attach(HfStudent student, LoraSettings settings, long seed)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(settings);
        settings.Validate();
        if (student.Network.Projections().Any(p => p.Linear.HasLora))
        {
            throw new InvalidOperationException("The student already has LoRA adapters.");
        }
        foreach (var parameter in student.Network.parameters())
        {
            parameter.requires_grad = false;
        }
        foreach (var (_, linear) in Targets(student, settings))
        {
            linear.AttachLora(settings.Rank, settings.Alpha, settings.Dropout);
        }
        student.AttachedLora = settings;
        Reset(student, seed);
        return Parameters(student);
    }

    /// <summary>
    /// Re-initialises the attached adapter as <see cref="Attach"/> with <paramref name="seed"/> would (A Kaiming-uniform,
    /// B zeros): a kept base model starts a new adapter this way, and trains exactly as a freshly loaded one would.
    /// </summary>
    public static void Reset(HfStudent student, long seed)
    {
        ArgumentNullException.ThrowIfNull(student);
        manual_seed(seed);
        foreach (var (_, linear) in student.Network.Projections().Where(p => p.Linear.HasLora))
        {
            linear.ResetLora();
        }
    }

    /// <summary>The adapter weights (trainable), in module order.</summary>
    public static IReadOnlyList<TorchSharp.Modules.Parameter> Parameters(HfStudent student)
    {
        ArgumentNullException.ThrowIfNull(student);
        return [.. student.Network.Projections().Where(p => p.Linear.HasLora).SelectMany(p => new[] { p.Linear.Lora!.Value.A, p.Linear.Lora!.Value.B })];
    }

    /// <summary>The adapter tensors by their PEFT key (<c>base_model.model.</c> + module name + <c>.lora_A.weight</c> / <c>.lora_B.weight</c>).</summary>
    public static IReadOnlyList<KeyValuePair<string, Tensor>> PeftTensors(HfStudent student)
    {
        ArgumentNullException.ThrowIfNull(student);
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, linear) in student.Network.Projections().Where(p => p.Linear.HasLora))
        {
            var (a, b) = linear.Lora!.Value;
            tensors.Add(new($"{PeftPrefix}{name}.lora_A.weight", (Tensor)a));
            tensors.Add(new($"{PeftPrefix}{name}.lora_B.weight", (Tensor)b));
        }
        return tensors;
    }

    /// <summary>Writes <c>adapter_model.safetensors</c> and <c>adapter_config.json</c> into <paramref name="directory"/> (created if needed).</summary>
    public static void Save(HfStudent student, string directory, string? baseModelNameOrPath = null)
    {
        ArgumentNullException.ThrowIfNull(student);
        var settings = student.AttachedLora ?? throw new InvalidOperationException("The student has no LoRA adapter to save.");
        System.IO.Directory.CreateDirectory(directory);
        var weightsPath = Path.Combine(directory, WeightsFile);
        var temporary = weightsPath + ".tmp";
        using (var stream = File.Create(temporary))
        {
            SafeTensors.Write(stream, PeftTensors(student), new Dictionary<string, string> { ["format"] = "pt" });
        }
        File.Move(temporary, weightsPath, overwrite: true);
        var config = new JsonObject
        {
            ["peft_type"] = "LORA",
            ["task_type"] = "CAUSAL_LM",
            ["r"] = settings.Rank,
            ["lora_alpha"] = settings.Alpha,
            ["lora_dropout"] = settings.Dropout,
            ["target_modules"] = new JsonArray([.. settings.TargetModules.Select(t => (JsonNode)t)]),
            ["bias"] = "none",
            ["fan_in_fan_out"] = false,
            ["inference_mode"] = true,
            ["base_model_name_or_path"] = baseModelNameOrPath ?? student.Directory ?? "",
        };
        File.WriteAllText(Path.Combine(directory, ConfigFile), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
    }

    /// <summary>Reads an adapter's settings from its <c>adapter_config.json</c>. Errors name the file and field.</summary>
    public static LoraSettings ReadSettings(string directory)
    {
        var path = Path.Combine(directory, ConfigFile);
        if (!File.Exists(path))
        {
            throw new HfCheckpointException(path, "adapter_config.json is missing (a LoRA adapter directory needs it and adapter_model.safetensors).");
        }
        try
        {
            var json = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new HfCheckpointException(path, "is empty.");
            var peftType = json["peft_type"]?.GetValue<string>();
            if (peftType != "LORA")
            {
                throw new HfCheckpointException(path, $"field 'peft_type' is '{peftType}'; only LORA is supported.");
            }
            var bias = json["bias"]?.GetValue<string>() ?? "none";
            if (bias != "none")
            {
                throw new HfCheckpointException(path, $"field 'bias' is '{bias}'; only 'none' is supported.");
            }
            var targets = json["target_modules"] switch
            {
                JsonArray array => array.Select(t => t!.GetValue<string>()).ToArray(),
                JsonValue one => [one.GetValue<string>()],
                _ => throw new HfCheckpointException(path, "required field 'target_modules' is missing."),
            };
            var settings = new LoraSettings
            {
                Rank = json["r"]?.GetValue<int>() ?? throw new HfCheckpointException(path, "required field 'r' is missing."),
                Alpha = json["lora_alpha"]?.GetValue<double>() ?? throw new HfCheckpointException(path, "required field 'lora_alpha' is missing."),
                Dropout = json["lora_dropout"]?.GetValue<double>() ?? 0,
                TargetModules = targets,
            };
            try
            {
                settings.Validate();
            }
            catch (ArgumentException ex)
            {
                throw new HfCheckpointException(path, ex.Message, ex);
            }
            return settings;
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            throw new HfCheckpointException(path, $"is not a valid adapter config: {ex.Message}", ex);
        }
    }

    /// <summary>
    /// Attaches an adapter with the saved settings and fills it from <c>adapter_model.safetensors</c>. Every adapted
    /// projection must be present with shapes (r,in) and (out,r); a key that names no projection is an error.
    /// </summary>
    public static LoraSettings Load(HfStudent student, string directory)
    {
        ArgumentNullException.ThrowIfNull(student);
        Attach(student, ReadSettings(directory), seed: 0);
        return Fill(student, directory);
    }

    /// <summary>
    /// Fills the adapter <paramref name="student"/> already has from the one saved in <paramref name="directory"/>, which
    /// must have the same rank, alpha and target modules (a cached base model takes each round's adapter this way).
    /// </summary>
    public static LoraSettings Fill(HfStudent student, string directory)
    {
        ArgumentNullException.ThrowIfNull(student);
        var settings = ReadSettings(directory);
        var attached = student.AttachedLora ?? throw new InvalidOperationException("The student has no LoRA adapter to fill.");
        if (attached.Rank != settings.Rank || attached.Alpha != settings.Alpha || !attached.TargetModules.Order().SequenceEqual(settings.TargetModules.Order()))
        {
            throw new HfCheckpointException(Path.Combine(directory, ConfigFile),
                $"r={settings.Rank}, lora_alpha={settings.Alpha}, target_modules {string.Join(",", settings.TargetModules)} differ from the attached adapter's " +
                $"(r={attached.Rank}, lora_alpha={attached.Alpha}, {string.Join(",", attached.TargetModules)}).");
        }
        var path = Path.Combine(directory, WeightsFile);
        if (!File.Exists(path))
        {
            throw new HfCheckpointException(path, "adapter_model.safetensors is missing.");
        }
        SafeTensorsHeader header;
        try
        {
            header = SafeTensors.ReadHeader(path);
        }
        catch (InvalidDataException ex)
        {
            throw new HfCheckpointException(path, ex.Message, ex);
        }
        var expected = PeftTensors(student).ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        var unknown = header.Entries.Keys.Where(k => !expected.ContainsKey(k)).ToList();
        if (unknown.Count > 0)
        {
            throw new HfCheckpointException(path, $"tensor '{unknown[0]}' names no adapted projection of this {student.Config.ModelType} model (expected keys like '{expected.Keys.First()}').");
        }
        using var noGrad = no_grad();
        using var stream = File.OpenRead(path);
        foreach (var (name, parameter) in expected)
        {
            if (!header.Entries.TryGetValue(name, out var entry))
            {
                throw new HfCheckpointException(path, $"tensor '{name}' is missing (adapter_config.json targets {string.Join(", ", settings.TargetModules)} with r={settings.Rank}).");
            }
            if (!entry.Shape.SequenceEqual(parameter.shape))
            {
                throw new HfCheckpointException(path, $"tensor '{name}' has shape [{string.Join(", ", entry.Shape)}]; expected [{string.Join(", ", parameter.shape)}].");
            }
            using var scope = NewDisposeScope();
            parameter.copy_(SafeTensors.ReadTensor(stream, entry).to(parameter.dtype).to(parameter.device));
        }
        return settings;
    }

    /// <summary>Zeroes every adapter's B, so the student computes exactly what its base does.</summary>
    public static void Zero(HfStudent student)
    {
        ArgumentNullException.ThrowIfNull(student);
        using var noGrad = no_grad();
        foreach (var (_, linear) in student.Network.Projections().Where(p => p.Linear.HasLora))
        {
            linear.Lora!.Value.B.zero_();
        }
    }

    private static IEnumerable<(string Name, HfLinear Linear)> Targets(HfStudent student, LoraSettings settings) =>
        student.Network.Projections().Where(p => settings.TargetModules.Contains(p.Name[(p.Name.LastIndexOf('.') + 1)..]));
}
