using System.Text;
using System.Text.Json;
using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Modeling;
using ActiveSynth.Student.Tokenization;
using ActiveSynth.Student.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Checkpoints;

/// <summary>A loaded checkpoint: the model on its device and, when saved, the optimizer state. The caller owns (disposes) the model.</summary>
public sealed record LoadedCheckpoint(CheckpointInfo Info, StudentModel Model, byte[]? OptimizerState);

/// <summary>
/// Student checkpoints in the artifact store. A checkpoint is a directory: <c>model.safetensors</c> (weights),
/// <c>tokenizer.json</c>, <c>config.json</c>, optionally <c>optimizer.bin</c> (AdamW state) and <c>replay.jsonl</c>
/// (a base's pretraining items), and <c>checkpoint.json</c> (manifest: ids, lineage, sha256 of every file).
/// Saving writes every file atomically into a staging directory, then renames it into place, so a reader sees a whole
/// checkpoint or none. Loading verifies the weights' sha256 against the caller's and every file against the manifest.
/// </summary>
public sealed class CheckpointStore(ArtifactStore store)
{
    public const string FormatName = "activesynth-student/1";
    public const string WeightsFile = "model.safetensors";
    public const string TokenizerFile = "tokenizer.json";
    public const string ConfigFile = "config.json";
    public const string OptimizerFile = "optimizer.bin";
    public const string ReplayFile = "replay.jsonl";
    public const string ManifestFile = "checkpoint.json";

    private static readonly JsonSerializerOptions ManifestJson = new() { WriteIndented = true };
    private static readonly JsonSerializerOptions ItemJson = new() { PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public ArtifactStore Artifacts { get; } = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>
    /// True when a complete checkpoint (its manifest) exists at <paramref name="path"/>: here, or on the store's remote (then its
    /// manifest is fetched; the files follow when the checkpoint is loaded).
    /// </summary>
    public Task<bool> ExistsAsync(string path, CancellationToken ct = default) => Artifacts.FetchAsync(Join(path, ManifestFile), null, ct);

    public async Task<CheckpointInfo> SaveAsync(string path, StudentModel model, StudentOptimizer? optimizer, CheckpointMetadata metadata,
        IReadOnlyList<TaskItem>? replay = null, CancellationToken ct = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(metadata);
        var target = Artifacts.Resolve(path);
        var stagingRelative = $"{path.TrimEnd('/')}.staging-{Guid.NewGuid():N}";
        var staging = Artifacts.Resolve(stagingRelative);
        try
        {
            var files = new Dictionary<string, string>(StringComparer.Ordinal);
            long size = 0;
            async Task Put(string name, byte[] bytes)
            {
                files[name] = await Artifacts.WriteAsync(Join(stagingRelative, name), (s, c) => s.WriteAsync(bytes, c).AsTask(), ct).ConfigureAwait(false);
                size += bytes.Length;
            }

            await Put(WeightsFile, Weights(model, metadata.Id)).ConfigureAwait(false);
            await Put(TokenizerFile, Encoding.UTF8.GetBytes(model.Tokenizer.ToJson())).ConfigureAwait(false);
            await Put(ConfigFile, Encoding.UTF8.GetBytes(model.Config.ToJson())).ConfigureAwait(false);
            if (optimizer is not null)
            {
                await Put(OptimizerFile, optimizer.SaveState()).ConfigureAwait(false);
            }
            if (replay is { Count: > 0 })
            {
                await Put(ReplayFile, Encoding.UTF8.GetBytes(string.Concat(replay.Select(i => JsonSerializer.Serialize(i, ItemJson) + "\n")))).ConfigureAwait(false);
            }
            var manifest = new CheckpointManifest
            {
                Id = metadata.Id,
                Round = metadata.Round,
                IsBase = metadata.IsBase,
                RunId = metadata.RunId,
                ParentId = metadata.ParentId,
                TrainedSamples = metadata.TrainedSamples,
                CreatedAt = DateTimeOffset.UtcNow,
                WeightsSha256 = files[WeightsFile],
                Files = files,
                SizeBytes = size,
                Properties = new Dictionary<string, string>(metadata.Properties),
            };
            var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(manifest, ManifestJson);
            await Artifacts.WriteAsync(Join(stagingRelative, ManifestFile), (s, c) => s.WriteAsync(manifestBytes, c).AsTask(), ct).ConfigureAwait(false);

            if (Directory.Exists(target))
            {
                if (File.Exists(Path.Combine(target, ManifestFile)))
                {
                    // Another writer (a redelivery, a replica) completed the same checkpoint first: keep theirs.
                    return await PublishAsync(path, await ReadManifestAsync(path, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
                }
                Directory.Delete(target, recursive: true); // leftover without a manifest: never a complete checkpoint
            }
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            try
            {
                Directory.Move(staging, target);
            }
            catch (IOException) when (File.Exists(Path.Combine(target, ManifestFile)))
            {
                return await PublishAsync(path, await ReadManifestAsync(path, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
            }
            return await PublishAsync(path, manifest, ct).ConfigureAwait(false);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }
    }

    /// <summary>
    /// Makes sure the checkpoint found at <paramref name="path"/> is on the store's remote too (a no-op without one): a redelivery
    /// that finds its checkpoint already here completes a publish that a crash interrupted.
    /// </summary>
    public async Task EnsurePublishedAsync(string path, CancellationToken ct = default)
    {
        if (Artifacts.Remote is not null)
        {
            await PublishAsync(path, await ReadManifestAsync(path, ct).ConfigureAwait(false), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Sends the checkpoint to the store's remote, when it has one (a replica without the deployment's folder): every file, then
    /// the manifest, so a reader elsewhere that sees the manifest finds the files. Publishing again is a no-op, so a redelivery
    /// that finds the checkpoint here completes a publish a crash interrupted. When the remote already holds a different
    /// checkpoint at this path (another replica's), this copy is discarded and an <see cref="IOException"/> says so: the request
    /// is redelivered and then loads theirs.
    /// </summary>
    private async Task<CheckpointInfo> PublishAsync(string path, CheckpointManifest manifest, CancellationToken ct)
    {
        if (Artifacts.Remote is null)
        {
            return ToInfo(path, manifest);
        }
        try
        {
            foreach (var file in manifest.Files.Keys.Order(StringComparer.Ordinal).Append(ManifestFile))
            {
                await Artifacts.PublishAsync(Join(path, file), ct).ConfigureAwait(false);
            }
        }
        catch (ArtifactConflictException ex)
        {
            Directory.Delete(Artifacts.Resolve(path), recursive: true);
            // Not a CheckpointException (a failure result): the request must be redelivered, and then finds theirs.
            throw new IOException(
                $"Checkpoint '{path}': {Artifacts.Remote.Description} already holds a different one ({ex.Message}); this replica's copy was discarded, so the retry uses theirs.", ex);
        }
        return ToInfo(path, manifest);
    }

    /// <summary>Reads the manifest of the checkpoint at <paramref name="path"/>.</summary>
    public async Task<CheckpointInfo> ReadInfoAsync(string path, CancellationToken ct = default) => ToInfo(path, await ReadManifestAsync(path, ct).ConfigureAwait(false));

    /// <summary>The free-form properties recorded in the manifest (training report, pretraining cost).</summary>
    public async Task<IReadOnlyDictionary<string, string>> ReadPropertiesAsync(string path, CancellationToken ct = default) =>
        (await ReadManifestAsync(path, ct).ConfigureAwait(false)).Properties;

    /// <summary>
    /// Loads and verifies the checkpoint: <paramref name="expectedSha256"/> (when given) must match the weights, and every
    /// file must match the manifest. The model is built on the CPU, filled, then moved to <paramref name="device"/>.
    /// </summary>
    public async Task<LoadedCheckpoint> LoadAsync(string path, string? expectedSha256, Device device, bool loadOptimizerState = true, CancellationToken ct = default)
    {
        var manifest = await ReadManifestAsync(path, ct).ConfigureAwait(false);
        if (!string.IsNullOrEmpty(expectedSha256) && !string.Equals(manifest.WeightsSha256, expectedSha256, StringComparison.OrdinalIgnoreCase))
        {
            throw new CheckpointException(path,
                $"Checkpoint '{path}' is not the one asked for: its weights have sha256 {manifest.WeightsSha256}, expected {expectedSha256}.")
            { FileName = WeightsFile, Problem = $"has sha256 {manifest.WeightsSha256}, not the {expectedSha256} asked for" };
        }
        var weights = await ReadVerifiedAsync(path, manifest, WeightsFile, ct).ConfigureAwait(false);
        var tokenizerJson = await ReadVerifiedAsync(path, manifest, TokenizerFile, ct).ConfigureAwait(false);
        var configJson = await ReadVerifiedAsync(path, manifest, ConfigFile, ct).ConfigureAwait(false);
        var optimizer = loadOptimizerState && manifest.Files.ContainsKey(OptimizerFile)
            ? await ReadVerifiedAsync(path, manifest, OptimizerFile, ct).ConfigureAwait(false)
            : null;

        CharTokenizer tokenizer;
        StudentModelConfig config;
        try
        {
            tokenizer = CharTokenizer.FromJson(Encoding.UTF8.GetString(tokenizerJson));
            config = StudentModelConfig.FromJson(Encoding.UTF8.GetString(configJson));
            config.Validate();
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException or System.ComponentModel.DataAnnotations.ValidationException or ArgumentException)
        {
            throw new CheckpointException(path, $"Checkpoint '{path}' has an unreadable tokenizer or config: {ex.Message}", ex)
            { FileName = $"{TokenizerFile} or {ConfigFile}", Problem = "is not readable" };
        }
        if (tokenizer.VocabSize != config.VocabSize)
        {
            throw new CheckpointException(path, $"Checkpoint '{path}': tokenizer vocabulary ({tokenizer.VocabSize}) differs from the model's ({config.VocabSize}).")
            { FileName = TokenizerFile, Problem = "does not match the config's vocabulary" };
        }

        var network = new StudentTransformer(config);
        try
        {
            LoadWeights(path, network, weights);
            network.eval();
            network.to(device);
        }
        catch
        {
            network.Dispose();
            throw;
        }
        return new LoadedCheckpoint(ToInfo(path, manifest), StudentModel.Wrap(network, tokenizer, device), optimizer);
    }

    /// <summary>The pretraining items stored with a base checkpoint (verified against the manifest).</summary>
    public async Task<IReadOnlyList<TaskItem>> LoadReplayAsync(string path, CancellationToken ct = default)
    {
        var manifest = await ReadManifestAsync(path, ct).ConfigureAwait(false);
        if (!manifest.Files.ContainsKey(ReplayFile))
        {
            throw new CheckpointException(path, $"Checkpoint '{path}' has no {ReplayFile}: only a base checkpoint carries replay data.")
            { FileName = ReplayFile, Problem = "is missing (only a base checkpoint has one)" };
        }
        var bytes = await ReadVerifiedAsync(path, manifest, ReplayFile, ct).ConfigureAwait(false);
        try
        {
            return [.. Encoding.UTF8.GetString(bytes).Split('\n', StringSplitOptions.RemoveEmptyEntries)
                .Select(line => JsonSerializer.Deserialize<TaskItem>(line, ItemJson) ?? throw new InvalidDataException("empty line"))];
        }
        catch (JsonException ex)
        {
            throw new CheckpointException(path, $"Checkpoint '{path}': {ReplayFile} is not valid JSONL: {ex.Message}", ex)
            { FileName = ReplayFile, Problem = "is not valid JSONL" };
        }
    }

    private static byte[] Weights(StudentModel model, string id)
    {
        using var stream = new MemoryStream();
        var state = model.Network.state_dict();
        SafeTensors.Write(stream, [.. state.OrderBy(p => p.Key, StringComparer.Ordinal)],
            new Dictionary<string, string> { ["format"] = "pt", ["activesynth.checkpoint"] = id, ["activesynth.config"] = model.Config.Hash() });
        return stream.ToArray();
    }

    private static void LoadWeights(string path, StudentTransformer network, byte[] weights)
    {
        Dictionary<string, Tensor> tensors;
        try
        {
            tensors = SafeTensors.Read(weights).Tensors;
        }
        catch (InvalidDataException ex)
        {
            throw new CheckpointException(path, $"Checkpoint '{path}': {WeightsFile} is not a valid safetensors file: {ex.Message}", ex)
            { FileName = WeightsFile, Problem = "is not a valid safetensors file" };
        }
        try
        {
            using var noGrad = no_grad();
            var state = network.state_dict();
            var missing = state.Keys.Where(k => !tensors.ContainsKey(k)).ToList();
            var unexpected = tensors.Keys.Where(k => !state.ContainsKey(k)).ToList();
            if (missing.Count > 0 || unexpected.Count > 0)
            {
                throw new CheckpointException(path,
                    $"Checkpoint '{path}': {WeightsFile} does not match the config (missing: [{string.Join(", ", missing)}], unexpected: [{string.Join(", ", unexpected)}]).")
                { FileName = WeightsFile, Problem = "does not have the tensors its config needs" };
            }
            foreach (var (name, parameter) in state)
            {
                var source = tensors[name];
                if (!source.shape.SequenceEqual(parameter.shape))
                {
                    throw new CheckpointException(path,
                        $"Checkpoint '{path}': tensor '{name}' has shape [{string.Join(",", source.shape)}], the config needs [{string.Join(",", parameter.shape)}].")
                    { FileName = WeightsFile, Problem = $"has tensor '{name}' in a shape its config does not allow" };
                }
                parameter.copy_(source);
            }
        }
        finally
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }
        }
    }

    private async Task<CheckpointManifest> ReadManifestAsync(string path, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        string full;
        try
        {
            full = Artifacts.Resolve(Join(path, ManifestFile));
        }
        catch (ArgumentException ex)
        {
            throw new CheckpointException(path, $"Checkpoint path '{path}' is not valid: {ex.Message}", ex)
            {
                IsInvalidPath = true,
                Problem = ex.Message.Contains("symbolic link", StringComparison.Ordinal)
                    ? "goes through a symbolic link out of the artifact root"
                    : ArtifactStore.ProblemWith(Join(path, ManifestFile)) ?? "is not a valid artifact path",
            };
        }
        if (Artifacts.Remote is not null)
        {
            await Artifacts.FetchAsync(Join(path, ManifestFile), null, ct).ConfigureAwait(false);
        }
        if (!File.Exists(full))
        {
            throw new CheckpointException(path,
                Directory.Exists(Path.GetDirectoryName(full))
                    ? $"Checkpoint '{path}' is incomplete: {ManifestFile} is missing in {Artifacts.Root}."
                    : $"Checkpoint '{path}' does not exist in the artifact store {Artifacts.Root}.")
            {
                IsMissing = true,
                FileName = Directory.Exists(Path.GetDirectoryName(full)) ? ManifestFile : null,
                Problem = Directory.Exists(Path.GetDirectoryName(full)) ? "is missing (an incomplete checkpoint)" : "does not exist in the artifact store",
            };
        }
        try
        {
            var manifest = JsonSerializer.Deserialize<CheckpointManifest>(await File.ReadAllBytesAsync(full, ct).ConfigureAwait(false), ManifestJson);
            if (manifest is null || manifest.Format != FormatName || !manifest.Files.ContainsKey(WeightsFile))
            {
                throw new CheckpointException(path, $"Checkpoint '{path}': {ManifestFile} is not an {FormatName} manifest.")
                { FileName = ManifestFile, Problem = $"is not an {FormatName} manifest" };
            }
            return manifest;
        }
        catch (JsonException ex)
        {
            throw new CheckpointException(path, $"Checkpoint '{path}': {ManifestFile} is not valid JSON: {ex.Message}", ex)
            { FileName = ManifestFile, Problem = "is not valid JSON" };
        }
    }

    private async Task<byte[]> ReadVerifiedAsync(string path, CheckpointManifest manifest, string file, CancellationToken ct)
    {
        if (!manifest.Files.TryGetValue(file, out var sha))
        {
            throw new CheckpointException(path, $"Checkpoint '{path}': the manifest does not list {file}.")
            { FileName = ManifestFile, Problem = $"does not list {file}" };
        }
        try
        {
            await using var stream = await Artifacts.OpenVerifiedAsync(Join(path, file), sha, ct).ConfigureAwait(false);
            using var buffer = new MemoryStream();
            await stream.CopyToAsync(buffer, ct).ConfigureAwait(false);
            return buffer.ToArray();
        }
        catch (ArgumentException ex)
        {
            // The file itself is a symbolic link out of the artifact root: never read through it.
            throw new CheckpointException(path, $"Checkpoint '{path}': {file} is not usable: {ex.Message}", ex)
            { IsInvalidPath = true, FileName = file, Problem = "is a symbolic link out of the artifact root" };
        }
        catch (FileNotFoundException ex)
        {
            throw new CheckpointException(path, $"Checkpoint '{path}' is incomplete: {file} is missing.", ex)
            { IsMissing = true, FileName = file, Problem = "is missing (an incomplete checkpoint)" };
        }
        catch (InvalidDataException ex)
        {
            throw new CheckpointException(path, $"Checkpoint '{path}' is corrupted: {ex.Message}", ex)
            { FileName = file, Problem = "does not match the sha256 its manifest records (corrupted)" };
        }
    }

    private static CheckpointInfo ToInfo(string path, CheckpointManifest m) => m.ToInfo(path, m.WeightsSha256, m.SizeBytes) with
    {
        HasOptimizerState = m.Files.ContainsKey(OptimizerFile),
        HasReplay = m.Files.ContainsKey(ReplayFile),
    };

    private static string Join(string directory, string file) => $"{directory.TrimEnd('/')}/{file}";
}
