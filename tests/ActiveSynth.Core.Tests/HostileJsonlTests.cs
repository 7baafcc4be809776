using System.Text;
using ActiveSynth.Core.Datasets;

namespace ActiveSynth.Core.Tests;

/// <summary>Malformed or hostile GSM8K JSONL: every problem names the file and the line, and memory stays bounded.</summary>
public sealed class HostileJsonlTests : IDisposable
{
    private const string Good = "{\"question\": \"ok\", \"answer\": \"#### 1\"}";
    private readonly string _dir = Directory.CreateTempSubdirectory("activesynth-hostile-jsonl-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteFile(string name, byte[] bytes)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    private string WriteFile(string name, string text) => WriteFile(name, Encoding.UTF8.GetBytes(text));

    public static TheoryData<string, string> WrongTypes => new()
    {
        { "{\"question\": \"q\", \"answer\": 5}", "field \"answer\" is not a string" },
        { "{\"question\": [\"q\"], \"answer\": \"#### 1\"}", "field \"question\" is not a string" },
        { "{\"question\": {\"text\": \"q\"}, \"answer\": \"#### 1\"}", "field \"question\" is not a string" },
        { "{\"question\": \"q\", \"answer\": null}", "field \"answer\" is not a string" },
        { "{\"question\": \"q\", \"answer\": \"#### 1\", \"id\": 7}", "field \"id\" is not a string" },
        { "{\"question\": \"q\", \"answer\": \"#### 1\", \"difficulty\": \"hard\"}", "field \"difficulty\" is not a non-negative integer" },
        { "{\"question\": \"q\", \"answer\": \"#### 1\", \"difficulty\": -1}", "field \"difficulty\" is not a non-negative integer" },
        { "\"just a string\"", "not a JSON object" },
        { "[{\"question\": \"q\", \"answer\": \"#### 1\"}]", "not a JSON object" },
        { "{\"question\": \"q\", \"answer\": \"#### 1\"} trailing", "not valid JSON" },
        { "{\"question\": \"q\",", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(WrongTypes))]
    public void A_wrong_type_or_broken_line_names_the_file_and_the_line(string badLine, string problem)
    {
        var path = WriteFile("seeds.jsonl", $"{Good}\n{Good.Replace("ok", "ok2", StringComparison.Ordinal)}\n{badLine}\n");

        var e = Assert.Throws<Gsm8kFormatException>(() => Gsm8kJsonl.ImportFile(path));

        Assert.Equal(3, e.LineNumber);
        Assert.Equal(path, e.FilePath);
        Assert.StartsWith($"{path}: line 3: ", e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Invalid_utf8_is_an_error_naming_the_line_not_a_silent_replacement()
    {
        var bytes = Encoding.UTF8.GetBytes($"{Good}\n{{\"question\": \"caf").Concat(new byte[] { 0xC3, 0x28 })
            .Concat(Encoding.UTF8.GetBytes("\", \"answer\": \"#### 1\"}\n")).ToArray();
        var path = WriteFile("latin.jsonl", bytes);

        var e = Assert.Throws<Gsm8kFormatException>(() => Gsm8kJsonl.ImportFile(path));

        Assert.Equal(2, e.LineNumber);
        Assert.StartsWith($"{path}: line 2: is not valid UTF-8", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bom_and_crlf_line_ends_are_accepted()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(
            "{\"question\": \"first\", \"answer\": \"#### 1\"}\r\n{\"question\": \"second\", \"answer\": \"a\\n#### 2\"}\r\n")).ToArray();

        var items = Gsm8kJsonl.ImportFile(WriteFile("windows.jsonl", bytes));

        Assert.Equal(["first", "second"], items.Select(i => i.Question));
        Assert.Equal("a\n#### 2", items[1].Answer);
    }

    [Fact]
    public void An_empty_file_imports_no_items_and_callers_decide()
    {
        Assert.Empty(Gsm8kJsonl.ImportFile(WriteFile("empty.jsonl", "")));
        Assert.Empty(Gsm8kJsonl.ImportFile(WriteFile("blank.jsonl", "\n\r\n  \n")));
    }

    [Fact]
    public void A_50_MB_line_without_a_newline_is_rejected_naming_line_1_without_buffering_it()
    {
        using var hostile = new RepeatedByteStream((byte)'x', 50L * 1024 * 1024);
        var before = GC.GetAllocatedBytesForCurrentThread();

        var e = Assert.Throws<Gsm8kFormatException>(() => Gsm8kJsonl.Import(hostile));

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(1, e.LineNumber);
        Assert.Contains("longer than 65536 bytes", e.Message, StringComparison.Ordinal);
        Assert.Equal(50L * 1024 * 1024, hostile.Position); // read to the end, not given up on early
        Assert.True(allocated < 4L * 1024 * 1024, $"importing a 50 MB line allocated {allocated} bytes");
    }

    [Fact]
    public void A_huge_line_of_spaces_is_over_the_limit_not_a_blank_line()
    {
        using var hostile = new RepeatedByteStream((byte)' ', 1024 * 1024);

        var e = Assert.Throws<Gsm8kFormatException>(() => Gsm8kJsonl.Import(hostile));

        Assert.Equal(1, e.LineNumber);
    }

    [Fact]
    public void A_huge_line_in_a_file_names_the_file_and_the_line()
    {
        var path = WriteFile("huge.jsonl", $"{Good}\n{{\"question\": \"{new string('q', 1024 * 1024)}\", \"answer\": \"#### 1\"}}\n");

        var e = Assert.Throws<Gsm8kFormatException>(() => Gsm8kJsonl.ImportFile(path));

        Assert.StartsWith($"{path}: line 2: line is longer than", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_over_the_size_limit_names_the_file()
    {
        var path = WriteFile("big.jsonl", string.Concat(Enumerable.Repeat(Good + "\n", 100)));

        var e = Assert.Throws<Gsm8kFormatException>(() => Gsm8kJsonl.ImportFile(path, new Gsm8kImportOptions { MaxFileBytes = 1000 }));

        Assert.StartsWith($"{path}: file is ", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, e.LineNumber);
    }

    [Fact]
    public void A_stream_over_the_size_limit_is_reported_as_such_not_as_a_cut_off_line()
    {
        var text = string.Concat(Enumerable.Range(0, 100).Select(i => $"{{\"question\": \"q{i}\", \"answer\": \"#### 1\"}}\n"));

        var e = Assert.Throws<Gsm8kFormatException>(() => Gsm8kJsonl.Import(new MemoryStream(Encoding.UTF8.GetBytes(text)), new Gsm8kImportOptions { MaxFileBytes = 1000 }));

        Assert.Contains("over the limit of 1000 bytes", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A read-only stream of <c>length</c> copies of one byte, produced as read: a huge input that never sits in memory.</summary>
    private sealed class RepeatedByteStream(byte value, long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            buffer.AsSpan(offset, n).Fill(value);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
