using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Students;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Checkpoints;
using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// Checkpoints of a Hugging Face student in the artifact store. The base model stays where the run spec names it
/// (<c>student.path</c>, relative to the models root: <c>Student:ModelsRoot</c>, else the artifact root) and is never copied; a checkpoint is a small directory with a
/// manifest (<see cref="ManifestFile"/>: the base path, the <c>student.options</c>, lineage) and, from round 1 on, the
/// round's LoRA adapter in the layout PEFT reads (<c>adapter_model.safetensors</c>, <c>adapter_config.json</c>), or with
/// <c>finetune=full</c> the whole trained <c>model.safetensors</c> (transformers' names), and the AdamW state (<see cref="OptimizerFile"/>). A checkpoint's identity (the sha256 messages carry) is the sha256
/// of its manifest, which records the adapter's and the optimizer state's sha256 and the base's fingerprint, so a
/// changed file or a different base model at the same path is detected.
/// </summary>
public sealed class HfCheckpointStore(ArtifactStore artifacts, string? modelsRoot = null)
{
    public const string ManifestFile = "hf-checkpoint.json";
    public const string FormatName = "activesynth-hf-lora/1";
    public const string OptimizerFile = "optimizer.bin";

    private static readonly JsonSerializerOptions ManifestJson = new() { WriteIndented = true };

    /// <summary>Task items as JSONL lines (the replay file of a base made here).</summary>
    internal static JsonSerializerOptions ItemJson { get; } = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    /// <summary>
    /// The replay pool a base made by <see cref="HfBasePretrainer"/> carries (<see cref="HfBasePretrainer.ReplayFile"/>),
    /// or null when the base has none (a downloaded model). A bad line throws naming the file and line.
    /// </summary>
    public IReadOnlyList<TaskItem>? LoadBaseReplay(string path, HfCheckpointManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var file = Path.Combine(Models.Resolve(manifest.BasePath), HfBasePretrainer.ReplayFile);
        if (!File.Exists(file))
        {
            return null;
        }
        var items = new List<TaskItem>();
        var number = 0;
        foreach (var line in File.ReadLines(file))
        {
            number++;
            if (line.Length == 0)
            {
                continue;
            }
            try
            {
                items.Add(JsonSerializer.Deserialize<TaskItem>(line, ItemJson) ?? throw new JsonException("null item"));
            }
            catch (JsonException ex)
            {
                throw new CheckpointException(path, $"Hugging Face checkpoint '{path}': line {number} of the base's {HfBasePretrainer.ReplayFile} is not a task item: {ex.Message}", ex)
                { FileName = HfBasePretrainer.ReplayFile, Problem = $"line {number} is not a task item" };
            }
        }
        return items.Count > 0 ? items : null;
    }

    public ArtifactStore Artifacts { get; } = artifacts ?? throw new ArgumentNullException(nameof(artifacts));

    /// <summary>Where <c>student.path</c> is resolved (with the artifact store's rules): <c>Student:ModelsRoot</c>, else the artifact root.</summary>
    public ArtifactStore Models { get; } = string.IsNullOrWhiteSpace(modelsRoot) ? artifacts! : new ArtifactStore(modelsRoot);

    /// <summary>True when <paramref name="path"/> holds a Hugging Face checkpoint (its manifest exists).</summary>
    public bool IsHfCheckpoint(string path)
    {
        try
        {
            return File.Exists(Artifacts.Resolve(Join(path, ManifestFile)));
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    /// <summary>
    /// The base checkpoint of <paramref name="basePath"/> with <paramref name="options"/>: written once per (base, options)
    /// under <c>students/hf/</c>, reused after. Checks that the base directory has a readable config.json and the options
    /// parse; errors name <c>student.path</c> or <c>student.options[key]</c> (<see cref="HfStudentSpecException"/>).
    /// </summary>
    public async Task<CheckpointInfo> EnsureBaseAsync(string basePath, IReadOnlyDictionary<string, string> options, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ParseOptions(options);
        var fingerprint = await BaseFingerprintAsync(basePath, ct).ConfigureAwait(false);
        var sortedOptions = new SortedDictionary<string, string>(options.ToDictionary(), StringComparer.Ordinal);
        var key = Convert.ToHexStringLower(SHA256.HashData(JsonSerializer.SerializeToUtf8Bytes(new { basePath, fingerprint, sortedOptions })))[..16];
        var manifest = new HfCheckpointManifest
        {
            Id = $"hf-base-{key}",
            IsBase = true,
            BasePath = basePath,
            BaseFingerprint = fingerprint,
            Options = new Dictionary<string, string>(sortedOptions),
        };
        return await WriteAsync($"students/hf/{key}", manifest, student: null, optimizerState: null, ct).ConfigureAwait(false);
    }

    /// <summary>
    /// Saves <paramref name="student"/>'s LoRA adapter (and its optimizer state, when given) as the checkpoint at
    /// <paramref name="path"/>, on top of <paramref name="parent"/>'s base and options. If another writer completed the
    /// same checkpoint first, theirs is kept.
    /// </summary>
    public async Task<CheckpointInfo> SaveRoundAsync(string path, HfStudent student, HfCheckpointManifest parent, CheckpointMetadata metadata,
        byte[]? optimizerState = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(parent);
        ArgumentNullException.ThrowIfNull(metadata);
        var manifest = parent with
        {
            Id = metadata.Id,
            Round = metadata.Round,
            IsBase = false,
            RunId = metadata.RunId,
            ParentId = metadata.ParentId,
            TrainedSamples = metadata.TrainedSamples,
            Properties = new Dictionary<string, string>(metadata.Properties),
            OptimizerSha256 = "",
        };
        return await WriteAsync(path, manifest, student, optimizerState, ct).ConfigureAwait(false);
    }

    /// <summary>The adapter's AdamW state saved with the checkpoint (verified against the manifest), or null when it has none.</summary>
    public async Task<byte[]?> LoadOptimizerStateAsync(string path, HfCheckpointManifest manifest, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        if (manifest.OptimizerSha256.Length == 0)
        {
            return null;
        }
        var file = ResolveIn(path, OptimizerFile);
        var bytes = File.Exists(file) ? await File.ReadAllBytesAsync(file, ct).ConfigureAwait(false) : null;
        if (bytes is null || Convert.ToHexStringLower(SHA256.HashData(bytes)) != manifest.OptimizerSha256)
        {
            throw ChangedFile(path, OptimizerFile);
        }
        return bytes;
    }

    /// <summary>The manifest of the checkpoint at <paramref name="path"/>, checked against <paramref name="expectedSha256"/> when given.</summary>
    public async Task<(CheckpointInfo Info, HfCheckpointManifest Manifest)> ReadAsync(string path, string? expectedSha256, CancellationToken ct = default)
    {
        var manifestPath = ResolveIn(path, ManifestFile);
        if (!File.Exists(manifestPath))
        {
            throw new CheckpointException(path, $"Hugging Face checkpoint '{path}' does not exist (no {ManifestFile}).")
            { IsMissing = true, FileName = ManifestFile, Problem = "does not exist" };
        }
        var bytes = await File.ReadAllBytesAsync(manifestPath, ct).ConfigureAwait(false);
        var sha = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (!string.IsNullOrEmpty(expectedSha256) && !string.Equals(sha, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new CheckpointException(path, $"Hugging Face checkpoint '{path}' is not the one asked for: sha256 {sha}, expected {expectedSha256}.")
            { FileName = ManifestFile, Problem = $"has sha256 {sha}, not the {expectedSha256} asked for" };
        }
        HfCheckpointManifest manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<HfCheckpointManifest>(bytes, ManifestJson)
                ?? throw new JsonException("empty manifest");
        }
        catch (JsonException ex)
        {
            throw new CheckpointException(path, $"Hugging Face checkpoint '{path}' has an unreadable {ManifestFile}: {ex.Message}", ex)
            { FileName = ManifestFile, Problem = "is not readable" };
        }
        if (manifest.Format != FormatName)
        {
            throw new CheckpointException(path, $"Hugging Face checkpoint '{path}' has format '{manifest.Format}', expected '{FormatName}'.")
            { FileName = ManifestFile, Problem = $"has format '{manifest.Format}'" };
        }
        return (Info(manifest, path, sha, bytes.Length), manifest);
    }

    /// <summary>
    /// Loads the base model of the checkpoint at <paramref name="path"/> on <paramref name="device"/> and, when the checkpoint
    /// has one, its LoRA adapter (verified against the manifest). The caller owns the student.
    /// </summary>
    public async Task<(HfStudent Student, CheckpointInfo Info, HfCheckpointManifest Manifest)> LoadAsync(string path, string? expectedSha256, Device device,
        CancellationToken ct = default)
    {
        var (info, manifest) = await VerifyAsync(path, expectedSha256, ct).ConfigureAwait(false);
        var student = LoadBase(path, manifest, device, attachLora: false);
        try
        {
            if (manifest.WeightsSha256.Length > 0)
            {
                Usable(path, () => HfWeightLoader.Load(student.Network, ResolveIn(path, "")));
            }
            else if (manifest.AdapterSha256.Length > 0)
            {
                Usable(path, () => LoraAdapter.Load(student, ResolveIn(path, "")));
            }
            return (student, info, manifest);
        }
        catch
        {
            student.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Reads the checkpoint's manifest and checks everything it depends on without loading weights: the base's
    /// config.json is still the one recorded, and the adapter file (when there is one) has its recorded sha256.
    /// </summary>
    public async Task<(CheckpointInfo Info, HfCheckpointManifest Manifest)> VerifyAsync(string path, string? expectedSha256, CancellationToken ct = default)
    {
        var (info, manifest) = await ReadAsync(path, expectedSha256, ct).ConfigureAwait(false);
        string fingerprint;
        try
        {
            fingerprint = await BaseFingerprintAsync(manifest.BasePath, ct).ConfigureAwait(false);
        }
        catch (HfStudentSpecException ex)
        {
            throw new CheckpointException(path, $"Hugging Face checkpoint '{path}': its base model is gone: {ex.Reason}", ex)
            { IsMissing = true, FileName = "config.json", Problem = $"of the base '{manifest.BasePath}' is missing" };
        }
        if (fingerprint != manifest.BaseFingerprint)
        {
            throw new CheckpointException(path, $"Hugging Face checkpoint '{path}': the base model at '{manifest.BasePath}' changed since the checkpoint was made.")
            { FileName = "config.json", Problem = $"of the base '{manifest.BasePath}' changed since the checkpoint was made" };
        }
        if (manifest.WeightsSha256.Length > 0)
        {
            var weights = ResolveIn(path, HfWeightLoader.SingleFile);
            if (!File.Exists(weights) || await ArtifactStore.Sha256Async(weights, ct).ConfigureAwait(false) != manifest.WeightsSha256)
            {
                throw ChangedFile(path, HfWeightLoader.SingleFile);
            }
        }
        if (manifest.AdapterSha256.Length > 0)
        {
            var adapter = ResolveIn(path, LoraAdapter.WeightsFile);
            if (!File.Exists(adapter) || await ArtifactStore.Sha256Async(adapter, ct).ConfigureAwait(false) != manifest.AdapterSha256)
            {
                throw ChangedFile(path, LoraAdapter.WeightsFile);
            }
        }
        return (info, manifest);
    }

    /// <summary>
    /// The base model of a verified checkpoint (<see cref="VerifyAsync"/>), with an empty LoRA adapter of its options'
    /// settings when <paramref name="attachLora"/> (a student that <see cref="ApplyAdapter"/> then fills per checkpoint).
    /// </summary>
    public HfStudent LoadBase(string path, HfCheckpointManifest manifest, Device device, bool attachLora)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        var (options, lora) = ParseOptions(manifest.Options);
        var student = Usable(path, () => HfStudent.Load(Models.Resolve(manifest.BasePath), options, device));
        if (attachLora && !options.FullFinetune)
        {
            LoraAdapter.Attach(student, lora, seed: 0);
        }
        return student;
    }

    /// <summary>
    /// Gives <paramref name="student"/> (loaded by <see cref="LoadBase"/> with an adapter attached) the adapter of the verified
    /// checkpoint at <paramref name="path"/>, or a zero one for a base: the outputs are then exactly the base's.
    /// </summary>
    public void ApplyAdapter(HfStudent student, string path, HfCheckpointManifest manifest)
    {
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(manifest);
        if (student.Options.FullFinetune)
        {
            // Full finetuning trains the kept model's own weights: every lease reads its checkpoint's (or the base's) back.
            var weights = manifest.WeightsSha256.Length > 0 ? ResolveIn(path, "") : Models.Resolve(manifest.BasePath);
            Usable(path, () => HfWeightLoader.Load(student.Network, weights));
            return;
        }
        if (manifest.AdapterSha256.Length == 0)
        {
            LoraAdapter.Zero(student);
            return;
        }
        Usable(path, () => LoraAdapter.Fill(student, ResolveIn(path, "")));
    }

    /// <summary>Runs <paramref name="load"/>, turning an unusable Hugging Face file into a <see cref="CheckpointException"/> naming the checkpoint.</summary>
    private static T Usable<T>(string path, Func<T> load)
    {
        try
        {
            return load();
        }
        catch (HfCheckpointException ex)
        {
            throw new CheckpointException(path, $"Hugging Face checkpoint '{path}': {ex.Message}", ex)
            { FileName = Path.GetFileName(ex.File), Problem = "is not usable" };
        }
    }

    private static void Usable(string path, Action load) => Usable(path, () =>
    {
        load();
        return true;
    });

    /// <summary>The student options and LoRA settings of <c>student.options</c>; a bad key throws naming it.</summary>
    public static (HfStudentOptions Student, LoraSettings Lora) ParseOptions(IReadOnlyDictionary<string, string> options)
    {
        try
        {
            return HfStudentSpecOptions.Parse(options);
        }
        catch (HfOptionException ex)
        {
            throw new HfStudentSpecException($"student.options[{ex.Key}]", ex.Reason, ex);
        }
    }

    /// <summary>
    /// The base's identity: sha256 over its config.json and the names and sizes of its weight files. Cheap enough for
    /// every request (hashing gigabytes of weights per round is not), and different after another model is put at the path.
    /// </summary>
    private async Task<string> BaseFingerprintAsync(string basePath, CancellationToken ct)
    {
        string directory;
        try
        {
            directory = Models.Resolve(basePath);
        }
        catch (ArgumentException ex)
        {
            throw new HfStudentSpecException("student.path", ex.Message, ex);
        }
        var config = Path.Combine(directory, "config.json");
        if (!File.Exists(config))
        {
            throw new HfStudentSpecException("student.path",
                $"'{basePath}' is not a Hugging Face checkpoint directory under the models root (no config.json there)");
        }
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(await File.ReadAllBytesAsync(config, ct).ConfigureAwait(false));
        foreach (var file in Directory.EnumerateFiles(directory, "*.safetensors*").Order(StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"\n{Path.GetFileName(file)}:{new FileInfo(file).Length}"));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static CheckpointInfo Info(HfCheckpointManifest manifest, string path, string sha256, long sizeBytes) =>
        manifest.ToInfo(path, sha256, sizeBytes) with { HasOptimizerState = manifest.OptimizerSha256.Length > 0 };

    private async Task<CheckpointInfo> WriteAsync(string path, HfCheckpointManifest manifest, HfStudent? student, byte[]? optimizerState, CancellationToken ct)
    {
        var target = Artifacts.Resolve(path);
        if (File.Exists(Path.Combine(target, ManifestFile)))
        {
            return (await ReadAsync(path, null, ct).ConfigureAwait(false)).Info;
        }
        var staging = Artifacts.Resolve($"{path.TrimEnd('/')}.staging-{Guid.NewGuid():N}");
        try
        {
            Directory.CreateDirectory(staging);
            if (student is { Options.FullFinetune: true })
            {
                var weights = Path.Combine(staging, HfWeightLoader.SingleFile);
                using (var stream = File.Create(weights))
                {
                    SafeTensors.Write(stream, HfCheckpointWriter.Tensors(student), new Dictionary<string, string> { ["format"] = "pt" });
                }
                manifest = manifest with { WeightsSha256 = await ArtifactStore.Sha256Async(weights, ct).ConfigureAwait(false) };
            }
            else if (student is not null)
            {
                LoraAdapter.Save(student, staging, manifest.BasePath);
                manifest = manifest with { AdapterSha256 = await ArtifactStore.Sha256Async(Path.Combine(staging, LoraAdapter.WeightsFile), ct).ConfigureAwait(false) };
            }
            if (optimizerState is not null)
            {
                await File.WriteAllBytesAsync(Path.Combine(staging, OptimizerFile), optimizerState, ct).ConfigureAwait(false);
                manifest = manifest with { OptimizerSha256 = Convert.ToHexStringLower(SHA256.HashData(optimizerState)) };
            }
            manifest = manifest with { CreatedAt = DateTimeOffset.UtcNow };
            var bytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ManifestJson);
            await File.WriteAllBytesAsync(Path.Combine(staging, ManifestFile), bytes, ct).ConfigureAwait(false);
            // The directory first, then its manifest: a complete checkpoint appears at once (a rename, manifest inside), so a
            // directory seen without one after it was seen at all is a leftover, never another writer's finished checkpoint.
            if (Directory.Exists(target))
            {
                if (File.Exists(Path.Combine(target, ManifestFile)))
                {
                    // Another writer (a second compare child pretraining the same base) completed it while this one staged:
                    // theirs is kept, since replacing it would change the sha256 their messages already carry.
                    return (await ReadAsync(path, null, ct).ConfigureAwait(false)).Info;
                }
                try
                {
                    Directory.Delete(target, recursive: true);
                }
                catch (DirectoryNotFoundException)
                {
                    // another writer removed the same leftover
                }
            }
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            try
            {
                Directory.Move(staging, target);
            }
            catch (IOException) when (File.Exists(Path.Combine(target, ManifestFile)))
            {
                return (await ReadAsync(path, null, ct).ConfigureAwait(false)).Info; // another writer completed it first
            }
            return Info(manifest, path, Convert.ToHexStringLower(SHA256.HashData(bytes)), bytes.Length);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    private string ResolveIn(string path, string file)
    {
        try
        {
            return Artifacts.Resolve(Join(path, file));
        }
        catch (ArgumentException ex)
        {
            throw new CheckpointException(path, ex.Message, ex) { IsInvalidPath = true, Problem = "is not a path inside the artifact store" };
        }
    }

    private static CheckpointException ChangedFile(string path, string file) =>
        new(path, $"Hugging Face checkpoint '{path}': {file} is missing or does not match its recorded sha256.")
        { FileName = file, Problem = "is missing or does not match its recorded sha256" };

    private static string Join(string path, string file) => file.Length == 0 ? path : $"{path.TrimEnd('/')}/{file}";
}

/// <summary>The manifest of a Hugging Face checkpoint (<see cref="HfCheckpointStore.ManifestFile"/>).</summary>
public sealed record HfCheckpointManifest : CheckpointLineage
{
    [JsonPropertyName("format")]
    public string Format { get; init; } = HfCheckpointStore.FormatName;

    /// <summary>The base model directory, relative to the artifact root (the run spec's <c>student.path</c>).</summary>
    [JsonPropertyName("base_path")]
    public string BasePath { get; init; } = "";

    /// <summary>sha256 over the base's config.json and the names and sizes of its weight files.</summary>
    [JsonPropertyName("base_fingerprint")]
    public string BaseFingerprint { get; init; } = "";

    /// <summary>The run spec's <c>student.options</c>.</summary>
    [JsonPropertyName("options")]
    public Dictionary<string, string> Options { get; init; } = [];

    /// <summary>sha256 of <c>adapter_model.safetensors</c>; empty for a base without an adapter.</summary>
    [JsonPropertyName("adapter_sha256")]
    public string AdapterSha256 { get; init; } = "";

    /// <summary>sha256 of the round's whole <c>model.safetensors</c> (<c>finetune=full</c>); empty for a base or a LoRA round.</summary>
    [JsonPropertyName("weights_sha256")]
    public string WeightsSha256 { get; init; } = "";

    /// <summary>sha256 of <see cref="HfCheckpointStore.OptimizerFile"/>, the adapter's AdamW state; empty when not saved.</summary>
    [JsonPropertyName("optimizer_sha256")]
    public string OptimizerSha256 { get; init; } = "";
}

/// <summary>A run spec's Hugging Face student that cannot be used; <see cref="Field"/> names the spec field (<c>student.path</c>, <c>student.options[key]</c>).</summary>
public sealed class HfStudentSpecException(string field, string reason, Exception? inner = null) : Exception($"{field}: {reason}", inner)
{
    public string Field { get; } = field;

    public string Reason { get; } = reason;
}
