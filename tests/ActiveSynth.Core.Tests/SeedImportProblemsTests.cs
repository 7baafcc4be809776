using System.Text;
using ActiveSynth.Core.Datasets;
using ActiveSynth.Core.Tasks;

namespace ActiveSynth.Core.Tests;

/// <summary>A seed file's problems are all reported in one pass, each with its line; nothing is imported when any is bad.</summary>
public sealed class SeedImportProblemsTests
{
    private const string Good = "{\"question\": \"ok\", \"answer\": \"#### 1\"}";

    private static IReadOnlyList<TaskItem> Import(string text, Gsm8kImportOptions? options = null) =>
        Gsm8kJsonl.Import(new MemoryStream(Encoding.UTF8.GetBytes(text)), options);

    private static string Good2(int i) => $"{{\"question\": \"q{i}\", \"answer\": \"#### {i}\"}}";

    [Fact]
    public void Every_bad_line_is_reported_with_its_number_and_problem()
    {
        var text = string.Join('\n',
            Good,                                                  // 1
            "{\"question\": \"q\", \"answer\": 5}",                // 2: wrong type
            Good2(3),                                              // 3
            "{broken",                                             // 4: not JSON
            "",                                                    // 5: blank, skipped
            "{\"question\": \"q6\"}",                              // 6: missing answer
            "{\"question\": \"q7\", \"answer\": \"no marker\"}",   // 7: no final answer
            Good2(8)) + "\n";

        var e = Assert.Throws<Gsm8kFormatException>(() => Import(text));

        Assert.Equal([2, 4, 6, 7], e.Problems.Select(p => p.Number));
        Assert.Contains("field \"answer\" is not a string", e.Problems[0].Problem, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", e.Problems[1].Problem, StringComparison.Ordinal);
        Assert.Equal("missing field \"answer\"", e.Problems[2].Problem);
        Assert.Contains("no final answer line", e.Problems[3].Problem, StringComparison.Ordinal);
        Assert.Equal(0, e.MoreProblems);
        Assert.StartsWith("4 problems: line 2: ", e.Message, StringComparison.Ordinal);
        Assert.Contains("; line 7: field \"answer\" has no final answer line", e.Message, StringComparison.Ordinal);
        Assert.Equal(2, e.LineNumber); // the first one, for callers that show one
    }

    [Fact]
    public void Several_problems_of_one_line_are_reported_together()
    {
        var e = Assert.Throws<Gsm8kFormatException>(() => Import(
            $"{Good}\n{{\"question\": 7, \"id\": \"a/b\", \"difficulty\": -2}}\n"));

        var only = Assert.Single(e.Problems);
        Assert.Equal(2, only.Number);
        Assert.Equal("field \"question\" is not a string; missing field \"answer\"; field \"difficulty\" is not a non-negative integer; "
            + "field \"id\" is empty or contains '/'", only.Problem);
    }

    [Fact]
    public void Past_100_problems_the_rest_are_counted()
    {
        var text = string.Concat(Enumerable.Range(0, 250).Select(i => i % 2 == 0 ? "{\"question\": \"q\"}\n" : Good2(i) + "\n"));

        var e = Assert.Throws<Gsm8kFormatException>(() => Import(text));

        Assert.Equal(SeedSetBuilder.MaxReported, e.Problems.Count);
        Assert.Equal(25, e.MoreProblems);
        Assert.Equal(125, e.ProblemCount);
        Assert.Equal(1, e.Problems[0].Number);
        Assert.Equal(199, e.Problems[^1].Number); // every other line, 1-based
        Assert.EndsWith("; and 25 more", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_gsm8k_answer_that_is_not_a_number_is_refused_and_the_text_family_takes_it()
    {
        const string text = "{\"question\": \"Capital of France?\", \"answer\": \"It is Paris.\\n#### Paris\"}\n";

        var e = Assert.Throws<Gsm8kFormatException>(() => Import(text));
        Assert.Equal("field \"answer\": final answer 'Paris' is not an answer of family 'gsm8k' (import text answers with family 'text')", e.Problem);

        var item = Assert.Single(Import(text, new Gsm8kImportOptions { Family = "text" }));
        Assert.Equal("text", item.Family);
        Assert.True(TaskFamilyRegistry.Default.GraderFor(item.Family).IsCorrect("#### paris", item.Answer));
    }

    [Fact]
    public void Unknown_families_are_refused_per_line_and_for_the_whole_import()
    {
        var perLine = Assert.Throws<Gsm8kFormatException>(() => Import($"{Good}\n{{\"question\": \"q\", \"answer\": \"#### 2\", \"family\": \"sonnets\"}}\n"));
        Assert.Equal(2, perLine.LineNumber);
        Assert.StartsWith("field \"family\": unknown family 'sonnets'; known: gsm8k, text, copy", perLine.Problem, StringComparison.Ordinal);

        var whole = Assert.Throws<Gsm8kFormatException>(() => Import(Good + "\n", new Gsm8kImportOptions { Family = "sonnets" }));
        Assert.Equal(0, whole.LineNumber);
        Assert.Single(whole.Problems);
    }

    [Fact]
    public void Imported_items_keep_their_family_and_a_line_may_name_its_own()
    {
        var items = Import($"{Good}\n{{\"question\": \"rev abc\", \"answer\": \"c,b,a\\n#### cba\", \"family\": \"rev\"}}\n"
            + "{\"question\": \"rev abd\", \"answer\": \"d,b,a\\n#### dba\", \"family\": \"reverse\"}\n");

        Assert.Equal(["gsm8k", "rev", "rev"], items.Select(i => i.Family)); // an alias is stored as the family's name
        Assert.True(TaskFamilyRegistry.Default.GraderFor(items[0].Family).IsCorrect("#### 1.0", items[0].Answer));
    }

    [Fact]
    public void A_builder_fed_rows_reports_them_as_rows()
    {
        var builder = new SeedSetBuilder(new Gsm8kImportOptions(), "row");
        builder.Add(1, new SeedRecord("q1", "#### 1"));
        builder.Add(2, new SeedRecord(null, "#### 2"), ["field \"question\" is null"]);
        builder.Add(3, new SeedRecord("q3", "#### 3", Id: "seed-1"));
        builder.Add(4, new SeedRecord("q4", "#### 4", Id: "seed-1"));

        var e = Assert.Throws<Gsm8kFormatException>(builder.Build);

        Assert.Equal("row", e.Unit);
        Assert.Equal("2 problems: row 2: field \"question\" is null; row 4: duplicate id 'seed-1'", e.Message);
    }
}
