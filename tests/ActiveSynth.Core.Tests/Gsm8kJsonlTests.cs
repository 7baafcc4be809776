using System.Text;
using ActiveSynth.Core.Datasets;
using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Core.Tests;

public sealed class Gsm8kJsonlTests
{
    // Two lines in the shape of the real GSM8K train split (openai/grade-school-math), calculator annotations included.
    private const string RealGsm8k =
        "{\"question\": \"Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?\", \"answer\": \"Natalia sold 48/2 = <<48/2=24>>24 clips in May.\\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\\n#### 72\"}\n" +
        "{\"question\": \"Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. How much did she earn?\", \"answer\": \"Weng earns 12/60 = $<<12/60=0.2>>0.2 per minute.\\nWorking 50 minutes, she earned 0.2 x 50 = $<<0.2*50=10>>10.\\n#### 10\"}\n";

    private static IReadOnlyList<TaskItem> Import(string text, Gsm8kImportOptions? options = null) =>
        Gsm8kJsonl.Import(new MemoryStream(Encoding.UTF8.GetBytes(text)), options);

    [Fact]
    public void A_real_gsm8k_file_imports()
    {
        var items = Import(RealGsm8k);
        Assert.Equal(2, items.Count);
        Assert.Equal("gsm8k", items[0].Family);
        Assert.Equal("item-1", items[0].Id);
        Assert.Equal("72", TaskFamilyRegistry.Default.GraderFor("gsm8k").ExtractFinalAnswer(items[0].Answer));
        Assert.Equal("10", TaskFamilyRegistry.Default.GraderFor("gsm8k").ExtractFinalAnswer(items[1].Answer));
    }

    [Theory]
    [InlineData("{\"question\": \"q\"}", 2, "missing field \"answer\"")]
    [InlineData("{\"question\": \"q\", \"answer\": 5}", 2, "field \"answer\" is not a string")]
    [InlineData("{\"question\": \"\", \"answer\": \"#### 1\"}", 2, "field \"question\" is empty")]
    [InlineData("{\"question\": \"q\", \"answer\": \"no final line\"}", 2, "no final answer")]
    [InlineData("{\"question\": \"q\", \"answer\": \"#### 1\"", 2, "not valid JSON")]
    [InlineData("[1, 2]", 2, "not a JSON object")]
    [InlineData("{\"question\": \"q\", \"answer\": \"#### 1\", \"id\": \"a/b\"}", 2, "contains '/'")]
    public void Errors_name_the_line_and_the_problem(string badLine, int line, string problem)
    {
        var text = "{\"question\": \"ok\", \"answer\": \"#### 1\"}\n" + badLine + "\n{\"question\": \"later\", \"answer\": \"#### 2\"}\n";
        var e = Assert.Throws<Gsm8kFormatException>(() => Import(text));
        Assert.Equal(line, e.LineNumber);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
        Assert.StartsWith($"line {line}:", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Duplicate_ids_are_rejected_with_their_line()
    {
        var text = "{\"id\":\"a\",\"question\":\"q\",\"answer\":\"#### 1\"}\n\n{\"id\":\"a\",\"question\":\"r\",\"answer\":\"#### 2\"}";
        var e = Assert.Throws<Gsm8kFormatException>(() => Import(text));
        Assert.Equal(3, e.LineNumber);
    }

    [Fact]
    public void Limits_on_line_size_item_count_and_file_size_hold()
    {
        var longLine = "{\"question\": \"" + new string('x', 5000) + "\", \"answer\": \"#### 1\"}";
        var e = Assert.Throws<Gsm8kFormatException>(() => Import(RealGsm8k + longLine, new Gsm8kImportOptions { MaxLineBytes = 1000 }));
        Assert.Equal(3, e.LineNumber);
        Assert.Contains("longer than 1000 bytes", e.Message, StringComparison.Ordinal);

        var tooMany = Assert.Throws<Gsm8kFormatException>(() => Import(RealGsm8k, new Gsm8kImportOptions { MaxItems = 1 }));
        Assert.Equal(2, tooMany.LineNumber);

        var tooBig = Assert.Throws<Gsm8kFormatException>(() => Import(RealGsm8k, new Gsm8kImportOptions { MaxFileBytes = 100 }));
        Assert.Contains("over the limit", tooBig.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Nothing_is_half_imported_from_a_file_with_an_error()
    {
        var path = Path.GetTempFileName();
        try
        {
            File.WriteAllText(path, RealGsm8k + "{\"question\": \"q\"}\n");
            IReadOnlyList<TaskItem>? imported = null;
            var e = Assert.Throws<Gsm8kFormatException>(() => imported = Gsm8kJsonl.ImportFile(path));
            Assert.Equal(3, e.LineNumber);
            Assert.Null(imported);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Export_then_import_round_trips_with_metadata()
    {
        var items = TaskSetGenerator.Generate([.. TaskFamilyRegistry.Default.Families], 1, 3, 30, 5, "rt");
        var path = Path.Combine(Path.GetTempPath(), $"activesynth-{Guid.NewGuid():N}.jsonl");
        try
        {
            Gsm8kJsonl.ExportFile(items, path, includeMetadata: true);
            Assert.Equal(items, Gsm8kJsonl.ImportFile(path));
            Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, Path.GetFileName(path) + ".tmp-*"));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Plain_export_is_gsm8k_question_and_answer_only()
    {
        using var stream = new MemoryStream();
        Gsm8kJsonl.Export([new TaskItem("a", "rev", 1, "rev abc", "c,b,a\n#### cba")], stream);
        Assert.Equal("{\"question\":\"rev abc\",\"answer\":\"c,b,a\\n#### cba\"}\n", Encoding.UTF8.GetString(stream.ToArray()));
    }
}
