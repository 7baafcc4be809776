using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActiveSynth.Student.Tokenization;

/// <summary>
/// Character-level tokenizer: one token per character, plus <c>PAD</c> (0), <c>EOS</c> (1) and <c>UNK</c> (2).
/// Saved with every checkpoint as <c>tokenizer.json</c>, so a checkpoint decodes exactly as it was trained.
/// </summary>
public sealed class CharTokenizer : IEquatable<CharTokenizer>
{
    public const int Pad = 0;
    public const int Eos = 1;
    public const int Unk = 2;
    private const int FirstChar = 3;

    /// <summary>Printable ASCII and newline: covers the embedded families' text (GSM8K-style answers included).</summary>
    public static readonly string DefaultAlphabet =
        "\n" + new string([.. Enumerable.Range(32, 95).Select(c => (char)c)]);

    private readonly Dictionary<char, int> _ids;

    public CharTokenizer(string alphabet)
    {
        ArgumentException.ThrowIfNullOrEmpty(alphabet);
        if (alphabet.Distinct().Count() != alphabet.Length)
        {
            throw new ArgumentException("The alphabet has a character twice.", nameof(alphabet));
        }
        Alphabet = alphabet;
        _ids = alphabet.Select((c, i) => (c, i)).ToDictionary(p => p.c, p => p.i + FirstChar);
    }

    public static CharTokenizer Default { get; } = new(DefaultAlphabet);

    public string Alphabet { get; }

    public int VocabSize => Alphabet.Length + FirstChar;

    public int Id(char c) => _ids.TryGetValue(c, out var id) ? id : Unk;

    public int[] Encode(string text)
    {
        var ids = new int[text.Length];
        for (var i = 0; i < text.Length; i++)
        {
            ids[i] = Id(text[i]);
        }
        return ids;
    }

    /// <summary>Decodes ids; special tokens decode to nothing (UNK to U+FFFD).</summary>
    public string Decode(IEnumerable<int> ids)
    {
        var chars = new List<char>();
        foreach (var id in ids)
        {
            if (id >= FirstChar && id < VocabSize)
            {
                chars.Add(Alphabet[id - FirstChar]);
            }
            else if (id == Unk)
            {
                chars.Add('\uFFFD');
            }
        }
        return new string([.. chars]);
    }

    public string ToJson() => JsonSerializer.Serialize(new TokenizerFile("char", Pad, Eos, Unk, Alphabet), JsonOptions);

    public static CharTokenizer FromJson(string json)
    {
        var file = JsonSerializer.Deserialize<TokenizerFile>(json, JsonOptions)
            ?? throw new InvalidDataException("tokenizer.json is empty.");
        if (file.Kind != "char" || file.Pad != Pad || file.Eos != Eos || file.Unk != Unk || string.IsNullOrEmpty(file.Alphabet))
        {
            throw new InvalidDataException($"tokenizer.json describes an unsupported tokenizer (kind '{file.Kind}').");
        }
        return new CharTokenizer(file.Alphabet);
    }

    public bool Equals(CharTokenizer? other) => other is not null && other.Alphabet == Alphabet;

    public override bool Equals(object? obj) => Equals(obj as CharTokenizer);

    public override int GetHashCode() => Alphabet.GetHashCode(StringComparison.Ordinal);

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower, WriteIndented = true };

    private sealed record TokenizerFile(
        [property: JsonPropertyName("kind")] string Kind,
        [property: JsonPropertyName("pad")] int Pad,
        [property: JsonPropertyName("eos")] int Eos,
        [property: JsonPropertyName("unk")] int Unk,
        [property: JsonPropertyName("alphabet")] string Alphabet);
}
