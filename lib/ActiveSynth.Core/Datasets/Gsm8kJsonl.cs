using System.Text;
using System.Text.Json;
using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Core.Datasets;

/// <summary>
/// GSM8K-format JSONL: one object per line with string fields "question" and "answer" (reasoning, then
/// <c>#### &lt;answer&gt;</c>; other names through <see cref="Gsm8kImportOptions.QuestionField"/> and
/// <see cref="Gsm8kImportOptions.AnswerField"/>). Optional "id", "family" and "difficulty" fields round-trip our own exports;
/// other fields are ignored. Import is all or nothing: every line is checked before anything is returned, and every
/// problem (up to <see cref="SeedSetBuilder.MaxReported"/>, then a count) is thrown together in one
/// <see cref="Gsm8kFormatException"/>, each naming its line.
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

    /// <summary>
    /// Reads every line of <paramref name="stream"/> (UTF-8); blank lines are skipped. Every bad line is reported in one
    /// <see cref="Gsm8kFormatException"/> (see <see cref="SeedSetBuilder"/>); items are returned only when none is bad.
    /// </summary>
    public static IReadOnlyList<TaskItem> Import(Stream stream, Gsm8kImportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        options ??= new Gsm8kImportOptions();
        var builder = new SeedSetBuilder(options, "line");
        var reader = new LineReader(stream, options.MaxLineBytes, options.MaxFileBytes);
        var lineNumber = 0;
        while (!builder.Stopped && reader.ReadLine(out var line))
        {
            lineNumber++;
            if (reader.FileTooLong)
            {
                break; // the cut-off line is not judged: the file as a whole is over the limit (reported below)
            }
            // Checked before the blank-line skip: a huge line of spaces is as much a sign of a wrong file as any other.
            if (reader.LineTooLong)
            {
                builder.Reject(lineNumber, $"line is longer than {options.MaxLineBytes} bytes");
                continue;
            }
            if (line is null)
            {
                builder.Reject(lineNumber, $"is not valid UTF-8 (first bad byte at offset {reader.InvalidByteOffset} of the line)");
                continue;
            }
            if (line.Length == 0 || line.All(char.IsWhiteSpace))
            {
                continue;
            }
            ParseLine(line, lineNumber, builder, options);
        }
        if (reader.FileTooLong)
        {
            builder.FailFile($"file is over the limit of {options.MaxFileBytes} bytes");
        }
        return builder.Build();
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

    /// <summary>Reads one line's fields, noting every missing or wrongly typed one, and hands them to the shared checks.</summary>
    private static void ParseLine(string line, int lineNumber, SeedSetBuilder builder, Gsm8kImportOptions options)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException e)
        {
            builder.Reject(lineNumber, $"not valid JSON ({e.Message})");
            return;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                builder.Reject(lineNumber, "not a JSON object");
                return;
            }
            var problems = new List<string>();
            var question = RequiredString(root, options.QuestionField, problems);
            var answer = RequiredString(root, options.AnswerField, problems);
            var id = OptionalString(root, "id", problems);
            var family = OptionalString(root, "family", problems);
            long? difficulty = null;
            if (root.TryGetProperty("difficulty", out var d) && d.ValueKind != JsonValueKind.Null)
            {
                if (d.ValueKind == JsonValueKind.Number && d.TryGetInt32(out var value) && value >= 0)
                {
                    difficulty = value;
                }
                else
                {
                    problems.Add("field \"difficulty\" is not a non-negative integer");
                }
            }
            builder.Add(lineNumber, new SeedRecord(question, answer, id, family, difficulty), problems);
        }
    }

    private static string? RequiredString(JsonElement root, string name, List<string> problems)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            problems.Add($"missing field \"{name}\"");
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            problems.Add($"field \"{name}\" is not a string");
            return null;
        }
        return value.GetString();
    }

    private static string? OptionalString(JsonElement root, string name, List<string> problems)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }
        if (value.ValueKind != JsonValueKind.String)
        {
            problems.Add($"field \"{name}\" is not a string");
            return null;
        }
        return value.GetString();
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
