using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// A byte-level BPE tokenizer (Qwen2, Llama 3, GPT-2 style) read from a Hugging Face <c>tokenizer.json</c> and run by
/// Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>: the library has no tokenizer.json loader, so the model's
/// vocabulary, merges (either <c>"a b"</c> strings or <c>["a","b"]</c> pairs), added/special tokens and the
/// pre-tokenizer's split regex are parsed here. Special tokens written in the text (<c>&lt;|im_start|&gt;</c>) encode
/// to their ids. Not supported: SentencePiece/Unigram models (Llama 1/2), normalizers, and <c>ignore_merges</c> (Llama 3
/// looks a whole word up first; BPE merges reach the same ids for almost every word).
/// </summary>
public sealed class HfTokenizer
{
    // GPT-2's split, the ByteLevel pre-tokenizer's default when tokenizer.json has no Split regex.
    private const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private readonly BpeTokenizer _bpe;
    private readonly Dictionary<string, int> _vocabulary;
    private readonly Dictionary<int, string> _added;

    private HfTokenizer(BpeTokenizer bpe, Dictionary<string, int> vocabulary, Dictionary<string, int> added)
    {
        _bpe = bpe;
        _vocabulary = vocabulary;
        AddedTokens = added;
        _added = added.ToDictionary(p => p.Value, p => p.Key);
        Count = Math.Max(vocabulary.Count == 0 ? 0 : vocabulary.Values.Max() + 1, added.Count == 0 ? 0 : added.Values.Max() + 1);
    }

    /// <summary>Added tokens (special or not) by content.</summary>
    public IReadOnlyDictionary<string, int> AddedTokens { get; }

    /// <summary>One past the highest id (the model's vocab_size may be larger: padding rows).</summary>
    public int Count { get; }

    public static HfTokenizer Load(string path)
    {
        if (!File.Exists(path))
        {
            throw new HfCheckpointException(path, "tokenizer.json is missing (a byte-level BPE tokenizer.json is required).");
        }
        JsonObject json;
        try
        {
            json = JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new HfCheckpointException(path, "is empty.");
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            throw new HfCheckpointException(path, $"is not a JSON object: {ex.Message}", ex);
        }
        try
        {
            return Parse(json);
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or ArgumentException or NullReferenceException)
        {
            throw new HfCheckpointException(path, $"cannot be read as a byte-level BPE tokenizer: {ex.Message}", ex);
        }
    }

    /// <summary>A tokenizer from <c>tokenizer.json</c>'s content already in memory (a base being made here).</summary>
    public static HfTokenizer FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return Parse(json);
    }

    private static HfTokenizer Parse(JsonObject json)
    {
        var model = json["model"] as JsonObject ?? throw new FormatException("field 'model' is missing.");
        var type = model["type"]?.GetValue<string>();
        if (type != "BPE")
        {
            throw new FormatException($"field 'model.type' is '{type}'; only BPE (byte-level) is supported.");
        }
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (token, id) in model["vocab"] as JsonObject ?? throw new FormatException("field 'model.vocab' is missing."))
        {
            vocabulary[token] = id!.GetValue<int>();
        }
        var merges = new List<string>();
        foreach (var merge in model["merges"] as JsonArray ?? [])
        {
            merges.Add(merge switch
            {
                JsonArray pair => $"{pair[0]!.GetValue<string>()} {pair[1]!.GetValue<string>()}",
                _ => merge!.GetValue<string>(),
            });
        }
        var added = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var token in json["added_tokens"] as JsonArray ?? [])
        {
            added[token!["content"]!.GetValue<string>()] = token["id"]!.GetValue<int>();
        }
        var pattern = SplitPattern(json["pre_tokenizer"]) ?? Gpt2Pattern;
        var options = new BpeOptions(vocabulary.Where(p => !added.ContainsKey(p.Key)))
        {
            Merges = merges,
            SpecialTokens = added,
            ByteLevel = true,
            PreTokenizer = new RegexPreTokenizer(new Regex(pattern, RegexOptions.Compiled), added),
        };
        return new HfTokenizer(BpeTokenizer.Create(options), vocabulary, added);
    }

    /// <summary>The regex of the first <c>Split</c> pre-tokenizer (possibly inside a <c>Sequence</c>).</summary>
    private static string? SplitPattern(JsonNode? node)
    {
        if (node is not JsonObject pre)
        {
            return null;
        }
        if (pre["type"]?.GetValue<string>() == "Split" && pre["pattern"]?["Regex"] is JsonValue regex)
        {
            return regex.GetValue<string>();
        }
        foreach (var child in pre["pretokenizers"] as JsonArray ?? [])
        {
            if (SplitPattern(child) is { } found)
            {
                return found;
            }
        }
        return null;
    }

    /// <summary>Token ids of <paramref name="text"/>; special tokens written in it map to their ids. No BOS is added.</summary>
    public int[] Encode(string text) => [.. _bpe.EncodeToIds(text)];

    /// <summary>Text of <paramref name="ids"/>; special tokens are left out unless <paramref name="includeSpecial"/>.</summary>
    public string Decode(IEnumerable<int> ids, bool includeSpecial = false)
    {
        ArgumentNullException.ThrowIfNull(ids);
        var list = includeSpecial ? ids : ids.Where(i => !_added.ContainsKey(i));
        return _bpe.Decode(list, considerSpecialTokens: includeSpecial);
    }

    /// <summary>The id of a whole token (an added/special token or a vocabulary entry), or null.</summary>
    public int? TokenId(string token) =>
        AddedTokens.TryGetValue(token, out var id) ? id : _vocabulary.TryGetValue(token, out id) ? id : null;
}
