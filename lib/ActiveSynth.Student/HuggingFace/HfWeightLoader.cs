using System.Text.Json;
using System.Text.Json.Nodes;
using ActiveSynth.Student.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// Fills an <see cref="HfCausalLm"/> from a checkpoint directory: <c>model.safetensors</c>, or the shards that
/// <c>model.safetensors.index.json</c> maps tensors to. Tensors are read one at a time (a shard can be larger than
/// one array) and converted to the model's dtype. Every parameter must be present with the shape the config implies;
/// a tied checkpoint's <c>lm_head.weight</c> and other extra tensors are ignored. Errors name the file and the tensor.
/// </summary>
public static class HfWeightLoader
{
    public const string SingleFile = "model.safetensors";
    public const string IndexFile = "model.safetensors.index.json";

    public static void Load(HfCausalLm network, string directory)
    {
        ArgumentNullException.ThrowIfNull(network);
        var headers = ReadHeaders(directory);
        var located = new Dictionary<string, SafeTensorsHeader>(StringComparer.Ordinal);
        foreach (var header in headers)
        {
            foreach (var name in header.Entries.Keys)
            {
                located.TryAdd(name, header);
            }
        }
        var parameters = network.named_parameters().ToList();
        var plan = new List<(string Name, Tensor Parameter, SafeTensorsHeader Header, SafeTensorsEntry Entry)>();
        foreach (var (name, parameter) in parameters)
        {
            if (!located.TryGetValue(name, out var header))
            {
                var where = headers.Count == 1 ? headers[0].Path : Path.Combine(directory, IndexFile);
                throw new HfCheckpointException(where, $"tensor '{name}' is missing (config.json describes a {network.Config.ModelType} model with {network.Config.Layers} layers"
                    + (network.Config.TieWordEmbeddings ? ", tied embeddings" : ", untied embeddings: lm_head.weight is needed") + ").");
            }
            var entry = header.Entries[name];
            if (!entry.Shape.SequenceEqual(parameter.shape))
            {
                throw new HfCheckpointException(header.Path, $"tensor '{name}' has shape [{string.Join(", ", entry.Shape)}]; config.json implies [{string.Join(", ", parameter.shape)}].");
            }
            if (entry.Dtype is not (ScalarType.Float32 or ScalarType.BFloat16 or ScalarType.Float16 or ScalarType.Float64))
            {
                throw new HfCheckpointException(header.Path, $"tensor '{name}' has dtype {entry.Dtype}; expected a floating-point type.");
            }
            plan.Add((name, parameter, header, entry));
        }
        using var noGrad = no_grad();
        foreach (var group in plan.GroupBy(p => p.Header.Path))
        {
            using var stream = File.OpenRead(group.Key);
            foreach (var (_, parameter, _, entry) in group)
            {
                using var scope = NewDisposeScope();
                var stored = SafeTensors.ReadTensor(stream, entry);
                parameter.copy_(stored.to(parameter.dtype));
            }
        }
    }

    /// <summary>The headers of the checkpoint's safetensors files (one, or every shard the index names).</summary>
    public static IReadOnlyList<SafeTensorsHeader> ReadHeaders(string directory)
    {
        var indexPath = Path.Combine(directory, IndexFile);
        var singlePath = Path.Combine(directory, SingleFile);
        if (File.Exists(indexPath))
        {
            return [.. ShardFiles(indexPath).Select(file => Header(Path.Combine(directory, file), indexPath))];
        }
        if (File.Exists(singlePath))
        {
            return [Header(singlePath, null)];
        }
        throw new HfCheckpointException(singlePath, $"is missing, and so is {IndexFile}: the directory holds no weights.");
    }

    private static IReadOnlyList<string> ShardFiles(string indexPath)
    {
        try
        {
            var index = JsonNode.Parse(File.ReadAllText(indexPath))?.AsObject();
            var map = index?["weight_map"] as JsonObject ?? throw new HfCheckpointException(indexPath, "required field 'weight_map' is missing.");
            return [.. map.Select(p => p.Value?.GetValue<string>() ?? throw new HfCheckpointException(indexPath, $"weight_map entry '{p.Key}' has no file."))
                .Distinct(StringComparer.Ordinal)];
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new HfCheckpointException(indexPath, $"is not a valid index: {ex.Message}", ex);
        }
    }

    private static SafeTensorsHeader Header(string path, string? index)
    {
        if (!File.Exists(path))
        {
            throw new HfCheckpointException(index ?? path, $"names shard '{Path.GetFileName(path)}', which is missing from {Path.GetDirectoryName(path)}.");
        }
        try
        {
            return SafeTensors.ReadHeader(path);
        }
        catch (InvalidDataException ex)
        {
            throw new HfCheckpointException(path, ex.Message, ex);
        }
    }
}
