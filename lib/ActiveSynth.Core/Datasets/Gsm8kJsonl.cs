using System.Text;
using System.Text.Json;
using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Core.Datasets;

/// <summary>
/// GSM8K-format JSONL: one object per line with string fields "question" and "answer" (reasoning, then
/// <c>#### &lt;answer&gt;</c>). Optional "id", "family" and "difficulty" fields round-trip our own exports;
/// other fields are ignored. Import is all or nothing: every line is checked before anything is returned,
/// and the first problem throws <see cref="Gsm8kFormatException"/> naming the line.
/// </summary>
public static class Gsm8kJsonl
{
    private static readonly JsonWriterOptions WriterOptions = new() { Indented = false };

    /// <summary>
    /// Imports a file; see <see cref="Import(Stream, Gsm8kImportOptions?)"/>. A problem's message starts with
    /// <paramref name="path"/> (<c>seeds.jsonl: line 3: ...</c>).
    /// </summary>
    public static IReadOnlyList<TaskItem> ImportFile(string path, Gsm8kImportOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        options ??= new Gsm8kImportOptions();
        try
        {
            var length = new FileInfo(path).Length;
            if (length > options.MaxFileBytes)
            {
                throw new Gsm8kFormatException($"file is {length} bytes, over the limit of {options.MaxFileBytes}");
            }
            using var stream = File.OpenRead(path);
            return Import(stream, options);
        }
        catch (Gsm8kFormatException ex)
        {
            throw ex.InFile(path);
        }
    }

    /// <summary>Reads every line of <paramref name="stream"/> (UTF-8); blank lines are skipped.</summary>
    public static IReadOnlyList<TaskItem> Import(Stream stream, Gsm8kImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= new Gsm8kImportOptions();
        var items = new List<TaskItem>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var reader = new LineReader(stream, options.MaxLineBytes, options.MaxFileBytes);
        var lineNumber = 0;
        while (reader.ReadLine(out var line))
        {
            lineNumber++;
            if (reader.FileTooLong)
            {
                break; // the cut-off line is not judged: the file as a whole is over the limit (thrown below)
            }
            // Checked before the blank-line skip: a huge line of spaces is as much a sign of a wrong file as any other.
            if (reader.LineTooLong)
            {
                throw new Gsm8kFormatException(lineNumber, $"line is longer than {options.MaxLineBytes} bytes");
            }
            if (line is null)
            {
                throw new Gsm8kFormatException(lineNumber, $"is not valid UTF-8 (first bad byte at offset {reader.InvalidByteOffset} of the line)");
            }
            if (line.Length == 0 || line.All(char.IsWhiteSpace))
            {
                continue;
            }
            if (items.Count >= options.MaxItems)
            {
                throw new Gsm8kFormatException(lineNumber, $"more than {options.MaxItems} items");
            }
            var item = ParseLine(line, lineNumber, options);
            if (!ids.Add(item.Id))
            {
                throw new Gsm8kFormatException(lineNumber, $"duplicate id '{item.Id}'");
            }
            items.Add(item);
        }
        if (reader.FileTooLong)
        {
            throw new Gsm8kFormatException($"file is over the limit of {options.MaxFileBytes} bytes");
        }
        return items;
    }

    /// <summary>Writes <paramref name="items"/> as GSM8K JSONL; with <paramref name="includeMetadata"/> also id, family and difficulty.</summary>
    public static void Export(IEnumerable<TaskItem> items, Stream stream, bool includeMetadata = false)
    {
        ArgumentNullException.ThrowIfNull(items);
        ArgumentNullException.ThrowIfNull(stream);
        foreach (var item in items)
        {
            using (var writer = new Utf8JsonWriter(stream, WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("question", item.Question);
                writer.WriteString("answer", item.Answer);
                if (includeMetadata)
                {
                    writer.WriteString("id", item.Id);
                    writer.WriteString("family", item.Family);
                    writer.WriteNumber("difficulty", item.Difficulty);
                }
                writer.WriteEndObject();
            }
            stream.WriteByte((byte)'\n');
        }
    }

    /// <summary>Writes to <paramref name="path"/> through a temporary file, so a reader never sees half a file.</summary>
    public static void ExportFile(IEnumerable<TaskItem> items, string path, bool includeMetadata = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var temp = path + ".tmp-" + Guid.NewGuid().ToString("N");
        try
        {
            using (var stream = File.Create(temp))
            {
                Export(items, stream, includeMetadata);
            }
            File.Move(temp, path, overwrite: true);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    private static TaskItem ParseLine(string line, int lineNumber, Gsm8kImportOptions options)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            throw new Gsm8kFormatException(lineNumber, $"not valid JSON ({e.Message})", e);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                throw new Gsm8kFormatException(lineNumber, "not a JSON object");
            }
            var question = RequiredString(root, "question", lineNumber);
            var answer = RequiredString(root, "answer", lineNumber);
            if (options.RequireFinalAnswer && Tasks.Graders.FinalAnswerText.Extract(answer) is null)
            {
                throw new Gsm8kFormatException(lineNumber, "field \"answer\" has no final answer line (#### <answer>)");
            }
            var id = OptionalString(root, "id", lineNumber) ?? FormattableString.Invariant($"{options.IdPrefix}-{lineNumber}");
            if (id.Length == 0 || id.Contains('/', StringComparison.Ordinal))
            {
                throw new Gsm8kFormatException(lineNumber, "field \"id\" is empty or contains '/'");
            }
            var family = OptionalString(root, "family", lineNumber) ?? options.Family;
            var difficulty = 0;
            if (root.TryGetProperty("difficulty", out var d) && (d.ValueKind != JsonValueKind.Number || !d.TryGetInt32(out difficulty) || difficulty < 0))
            {
                throw new Gsm8kFormatException(lineNumber, "field \"difficulty\" is not a non-negative integer");
            }
            return new TaskItem(id, family, difficulty, question, answer);
        }
    }

    private static string RequiredString(JsonElement root, string name, int lineNumber)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            throw new Gsm8kFormatException(lineNumber, $"missing field \"{name}\"");
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            throw new Gsm8kFormatException(lineNumber, $"field \"{name}\" is not a string");
        }
        var text = value.GetString()!;
        return string.IsNullOrWhiteSpace(text) ? throw new Gsm8kFormatException(lineNumber, $"field \"{name}\" is empty") : text;
    }

    private static string? OptionalString(JsonElement root, string name, int lineNumber)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        return value.ValueKind == JsonValueKind.String ? value.GetString() : throw new Gsm8kFormatException(lineNumber, $"field \"{name}\" is not a string");
    }

    /// <summary>
    /// Reads UTF-8 lines without ever buffering more than the line limit: an over-long line is skipped to its
    /// end and flagged, so a file with one huge line cannot exhaust memory. Invalid UTF-8 is reported, not replaced
    /// with U+FFFD: a silently altered question or answer would be worse than a rejected file.
    /// </summary>
    private sealed class LineReader(Stream stream, int maxLineBytes, long maxFileBytes)
    {
        private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

        private readonly byte[] _buffer = new byte[64 * 1024];
        private readonly MemoryStream _line = new();
        private int _position;
        private int _count;
        private long _total;
        private bool _eof;

        public bool LineTooLong { get; private set; }

        public bool FileTooLong { get; private set; }

        /// <summary>Where in the last line decoding failed (when <c>ReadLine</c> gave a null line).</summary>
        public int InvalidByteOffset { get; private set; }

        /// <summary>False at the end of the stream; otherwise the next line, null when it is not valid UTF-8.</summary>
        public bool ReadLine(out string? line)
        {
            line = ReadRaw(out var any);
            return any;
        }

        private string? ReadRaw(out bool any)
        {
            _line.SetLength(0);
            LineTooLong = false;
            any = false;
            while (true)
            {
                if (_position == _count)
                {
                    if (_eof || !Fill())
                    {
                        return any && !LineTooLong ? Decode() : null;
                    }
                }
                any = true;
                var b = _buffer[_position++];
                if (b == (byte)'\n')
                {
                    return LineTooLong ? null : Decode();
                }
                if (_line.Length < maxLineBytes)
                {
                    _line.WriteByte(b);
                }
                else
                {
                    LineTooLong = true;
                }
            }
        }

        private bool Fill()
        {
            _count = stream.Read(_buffer, 0, _buffer.Length);
            _position = 0;
            _total += _count;
            if (_total > maxFileBytes)
            {
                FileTooLong = true;
                _eof = true;
                _count = 0;
                return false;
            }
            _eof = _count == 0;
            return _count > 0;
        }

        private string? Decode()
        {
            string text;
            try
            {
                text = StrictUtf8.GetString(_line.GetBuffer(), 0, (int)_line.Length);
            }
            catch (DecoderFallbackException ex)
            {
                InvalidByteOffset = ex.Index;
                return null;
            }
            return text.TrimEnd('\r').TrimStart('\uFEFF');
        }
    }
}
