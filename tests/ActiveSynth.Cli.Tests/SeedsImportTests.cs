using System.Text;
using ActiveSynth.Cli;
using ActiveSynth.Core.Datasets;
using ActiveSynth.Core.Tasks;
using Parquet;
using Parquet.Schema;
using Spectre.Console.Testing;

using static ActiveSynth.Cli.Tests.CliRun;

namespace ActiveSynth.Cli.Tests;

/// <summary>
/// `seeds import` of GSM8K-format files in JSONL and in Parquet (the Hugging Face datasets layout): the same set imports to
/// the same items either way, other column names work through --question-field/--answer-field, and every bad line or row
/// is reported in one go, with exit code 2 and nothing stored.
/// </summary>
public sealed class SeedsImportTests : IDisposable
{
    // Four items in the shape of GSM8K's train split: calculator annotations, thousands separators, dollars.
    private static readonly (string Question, string Answer)[] Gsm8k =
    [
        ("Natalia sold clips to 48 of her friends in April, and then she sold half as many clips in May. How many clips did Natalia sell altogether in April and May?",
            "Natalia sold 48/2 = <<48/2=24>>24 clips in May.\nNatalia sold 48+24 = <<48+24=72>>72 clips altogether in April and May.\n#### 72"),
        ("Weng earns $12 an hour for babysitting. Yesterday, she just did 50 minutes of babysitting. How much did she earn?",
            "Weng earns 12/60 = $<<12/60=0.2>>0.2 per minute.\nWorking 50 minutes, she earned 0.2 x 50 = $<<0.2*50=10>>10.\n#### 10"),
        ("Betty is saving money for a new wallet which costs $100. Betty has only half of the money she needs. Her parents give her $15, and her grandparents twice as much as her parents. How much more money does Betty need?",
            "In the beginning, Betty has only 100 / 2 = $<<100/2=50>>50.\nBetty's grandparents gave her 15 * 2 = $<<15*2=30>>30.\nThis means, Betty needs 100 - 50 - 30 - 15 = $<<100-50-30-15=5>>5 more.\n#### 5"),
        ("A factory makes 1,250 toys a day. How many toys does it make in 4 days?",
            "It makes 1,250 * 4 = <<1250*4=5000>>5,000 toys.\n#### 5,000"),
    ];

    private readonly string _dir = Directory.CreateTempSubdirectory("activesynth-cli-seeds-").FullName;

    private string Artifacts => Path.Combine(_dir, "artifacts");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static string JsonLine(string question, string? answer, string q = "question", string a = "answer")
    {
        using var stream = new MemoryStream();
        using (var writer = new System.Text.Json.Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString(q, question);
            if (answer is not null)
            {
                writer.WriteString(a, answer);
            }
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private string WriteJsonl(string name, IEnumerable<string> lines)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, string.Join('\n', lines) + "\n");
        return path;
    }

    /// <summary>A Parquet file as Hugging Face publishes datasets: string columns, here split over row groups of <paramref name="groupSize"/>.</summary>
    private async Task<string> WriteParquet(string name, IReadOnlyList<(string? Question, string? Answer)> rows, int groupSize = 3,
        string q = "question", string a = "answer", bool withExtraColumn = false)
    {
        var path = Path.Combine(_dir, name);
        var fields = new List<DataField> { new DataField<string>(q), new DataField<string>(a) };
        if (withExtraColumn)
        {
            fields.Add(new DataField<int?>("source_index"));
        }
        var schema = new ParquetSchema(fields);
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(schema, stream);
        foreach (var chunk in rows.Chunk(groupSize))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(fields[0], chunk.Select(r => r.Question).ToList()!);
            await group.WriteAsync(fields[1], chunk.Select(r => r.Answer).ToList()!);
            if (withExtraColumn)
            {
                await group.WriteAsync<int>(fields[2], chunk.Select((_, i) => (int?)i).ToArray().AsMemory());
            }
        }
        return path;
    }

    private IReadOnlyList<TaskItem> Stored(string set) => Gsm8kJsonl.ImportFile(Path.Combine(Artifacts, "seeds", $"{set}.jsonl"));

    private bool NothingStored() => !Directory.Exists(Path.Combine(Artifacts, "seeds")) || !Directory.EnumerateFileSystemEntries(Path.Combine(Artifacts, "seeds")).Any();

    [Fact]
    public async Task A_gsm8k_jsonl_file_and_the_same_set_as_parquet_import_to_the_same_items()
    {
        var jsonl = WriteJsonl("gsm8k-train.jsonl", Gsm8k.Select(r => JsonLine(r.Question, r.Answer)));
        var parquet = await WriteParquet("train-00000-of-00001.parquet", [.. Gsm8k.Select(r => ((string?)r.Question, (string?)r.Answer))]);

        var fromJsonl = await RunAsync("seeds", "import", jsonl, "--artifacts", Artifacts);
        var fromParquet = await RunAsync("seeds", "import", parquet, "--name", "gsm8k-train-pq", "--artifacts", Artifacts);

        Assert.Equal(0, fromJsonl.Code);
        Assert.Equal(0, fromParquet.Code);
        Assert.Contains("imported 4 seeds (family gsm8k)", fromJsonl.Output, StringComparison.Ordinal);
        Assert.Contains("--seed-file gsm8k-train-pq", fromParquet.Output, StringComparison.Ordinal);
        var items = Stored("gsm8k-train");
        Assert.Equal(items, Stored("gsm8k-train-pq"));
        Assert.Equal(Gsm8k.Select(r => r.Question), items.Select(i => i.Question));
        Assert.Equal(Gsm8k.Select(r => r.Answer), items.Select(i => i.Answer));
        Assert.All(items, i => Assert.Equal("gsm8k", i.Family));
        Assert.Equal(["seed-1", "seed-2", "seed-3", "seed-4"], items.Select(i => i.Id));
        // The stored family grades them as GSM8K numbers ("#### 5,000" is 5000).
        Assert.True(TaskFamilyRegistry.Default.GraderFor(items[3].Family).IsCorrect("#### 5000", items[3].Answer));
    }

    [Fact]
    public async Task Other_column_names_import_through_the_field_options_in_both_formats()
    {
        var rows = Gsm8k.Take(2).ToList();
        var jsonl = WriteJsonl("renamed.jsonl", rows.Select(r => JsonLine(r.Question, r.Answer, "problem", "solution")));
        var parquet = await WriteParquet("renamed.parquet", [.. rows.Select(r => ((string?)r.Question, (string?)r.Answer))], q: "problem", a: "solution", withExtraColumn: true);

        var withoutOptions = await RunAsync("seeds", "import", parquet, "--name", "pq-default", "--artifacts", Artifacts);
        Assert.Equal(2, withoutOptions.Code);
        Assert.Contains("renamed.parquet: no column \"question\" (columns: problem, solution, source_index)", withoutOptions.Output, StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync("seeds", "import", jsonl, "--question-field", "problem", "--answer-field", "solution", "--artifacts", Artifacts)).Code);
        Assert.Equal(0, (await RunAsync("seeds", "import", parquet, "--name", "renamed-pq", "--question-field", "problem", "--answer-field", "solution", "--artifacts", Artifacts)).Code);
        Assert.Equal(Stored("renamed"), Stored("renamed-pq"));
        Assert.Equal(rows.Select(r => r.Question), Stored("renamed").Select(i => i.Question));
    }

    [Fact]
    public async Task Every_bad_line_of_a_jsonl_file_is_reported_at_once_and_nothing_is_stored()
    {
        var file = WriteJsonl("broken.jsonl",
        [
            JsonLine(Gsm8k[0].Question, Gsm8k[0].Answer),          // 1 ok
            JsonLine("How many?", null),                            // 2 missing answer
            "{\"question\": \"q\", \"answer\": 5}",                 // 3 wrong type
            JsonLine(Gsm8k[1].Question, Gsm8k[1].Answer),          // 4 ok
            "{not json",                                            // 5 broken
            JsonLine("Capital of France?", "#### Paris"),          // 6 not a number for gsm8k
            JsonLine("q7", "no final answer"),                     // 7 no ####
        ]);

        var (code, output) = await RunAsync("seeds", "import", file, "--artifacts", Artifacts);

        Assert.Equal(2, code);
        Assert.Contains($"{file}: 5 bad lines; nothing stored", output, StringComparison.Ordinal);
        Assert.Contains($"{file}: line 2: missing field \"answer\"", output, StringComparison.Ordinal);
        Assert.Contains($"{file}: line 3: field \"answer\" is not a string", output, StringComparison.Ordinal);
        Assert.Contains($"{file}: line 5: not valid JSON", output, StringComparison.Ordinal);
        Assert.Contains($"{file}: line 6: field \"answer\": final answer 'Paris' is not an answer of family 'gsm8k'", output, StringComparison.Ordinal);
        Assert.Contains($"{file}: line 7: field \"answer\" has no final answer line", output, StringComparison.Ordinal);
        Assert.DoesNotContain("line 1:", output, StringComparison.Ordinal);
        Assert.DoesNotContain("line 4:", output, StringComparison.Ordinal);
        Assert.True(NothingStored());
    }

    [Fact]
    public async Task Every_bad_row_of_a_parquet_file_is_reported_by_its_number_across_row_groups()
    {
        var rows = new List<(string?, string?)>
        {
            (Gsm8k[0].Question, Gsm8k[0].Answer),   // row 1 (group 1)
            (Gsm8k[1].Question, null),              // row 2: null answer
            (Gsm8k[2].Question, Gsm8k[2].Answer),   // row 3
            ("  ", Gsm8k[3].Answer),                // row 4 (group 2): empty question
            (null, "#### many"),                    // row 5: null question, and a non-numeric answer
        };
        var file = await WriteParquet("bad.parquet", rows, groupSize: 3);

        var (code, output) = await RunAsync("seeds", "import", file, "--artifacts", Artifacts);

        Assert.Equal(2, code);
        Assert.Contains($"{file}: 3 bad rows; nothing stored", output, StringComparison.Ordinal);
        Assert.Contains($"{file}: row 2: field \"answer\" is null", output, StringComparison.Ordinal);
        Assert.Contains($"{file}: row 4: field \"question\" is empty", output, StringComparison.Ordinal);
        Assert.Contains($"{file}: row 5: field \"question\" is null; field \"answer\": final answer 'many' is not an answer of family 'gsm8k'", output, StringComparison.Ordinal);
        Assert.True(NothingStored());
    }

    [Fact]
    public async Task Past_100_bad_lines_the_rest_are_counted()
    {
        var file = WriteJsonl("many.jsonl", Enumerable.Range(1, 130).Select(i => i % 2 == 0 ? JsonLine($"q{i}", $"#### {i}") : "{\"question\": 1}"));

        var (code, output) = await RunAsync("seeds", "import", file, "--artifacts", Artifacts);

        Assert.Equal(2, code);
        Assert.Contains($"{file}: 65 bad lines; nothing stored", output, StringComparison.Ordinal);
        Assert.Contains($"{file}: line 129: ", output, StringComparison.Ordinal);
        Assert.DoesNotContain($"{file}: line 2: ", output, StringComparison.Ordinal);
        Assert.Contains($"{file}: line 1: field \"question\" is not a string; missing field \"answer\"", output, StringComparison.Ordinal);
        Assert.Equal(65, output.Split('\n').Count(l => l.Contains($"{file}: line ", StringComparison.Ordinal)));

        var worse = WriteJsonl("worse.jsonl", Enumerable.Range(1, 150).Select(_ => "{}"));
        var (worseCode, worseOutput) = await RunAsync("seeds", "import", worse, "--artifacts", Artifacts);
        Assert.Equal(2, worseCode);
        Assert.Contains($"{worse}: 150 bad lines; nothing stored", worseOutput, StringComparison.Ordinal);
        Assert.Equal(100, worseOutput.Split('\n').Count(l => l.Contains($"{worse}: line ", StringComparison.Ordinal)));
        Assert.Contains($"{worse}: line 100: missing field", worseOutput, StringComparison.Ordinal);
        Assert.DoesNotContain($"{worse}: line 101:", worseOutput, StringComparison.Ordinal);
        Assert.Contains("... and 50 more bad lines (the first 100 are listed)", worseOutput, StringComparison.Ordinal);
        Assert.True(NothingStored());
    }

    [Fact]
    public async Task A_parquet_column_of_the_wrong_type_is_a_problem_with_the_whole_file()
    {
        var path = Path.Combine(_dir, "typed.parquet");
        var schema = new ParquetSchema(new DataField<string>("question"), new DataField<long>("answer"));
        await using (var stream = File.Create(path))
        await using (var writer = await ParquetWriter.CreateAsync(schema, stream))
        {
            using var group = writer.CreateRowGroup();
            await group.WriteAsync(schema.DataFields[0], new List<string> { "q" });
            await group.WriteAsync<long>(schema.DataFields[1], new long[] { 5 }.AsMemory());
        }

        var (code, output) = await RunAsync("seeds", "import", path, "--artifacts", Artifacts);

        Assert.Equal(2, code);
        Assert.Contains($"{path}: column \"answer\" holds Int64, not strings; nothing stored", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_truncated_or_fake_parquet_file_is_one_problem_with_the_file_not_a_crash()
    {
        var whole = await WriteParquet("whole.parquet", [.. Gsm8k.Select(r => ((string?)r.Question, (string?)r.Answer))]);
        var bytes = await File.ReadAllBytesAsync(whole);
        var truncated = Path.Combine(_dir, "truncated.parquet");
        await File.WriteAllBytesAsync(truncated, bytes[..(bytes.Length / 2)]);
        var fake = Path.Combine(_dir, "fake.parquet");
        await File.WriteAllTextAsync(fake, "{\"question\": \"q\", \"answer\": \"#### 1\"}\n");

        foreach (var file in new[] { truncated, fake })
        {
            var (code, output) = await RunAsync("seeds", "import", file, "--artifacts", Artifacts);

            Assert.Equal(2, code);
            Assert.Contains($"{file}: not a readable Parquet file (", output, StringComparison.Ordinal);
            Assert.Contains("nothing stored", output, StringComparison.Ordinal);
        }
        Assert.True(NothingStored());
    }

    [Fact]
    public async Task Parquet_rows_past_the_item_limit_are_refused_before_they_are_read()
    {
        var rows = Enumerable.Range(1, 5).Select(i => ((string?)$"q{i}", (string?)$"#### {i}")).ToList();
        var file = await WriteParquet("five.parquet", rows, groupSize: 5);
        await using var stream = File.OpenRead(file);

        var e = await Assert.ThrowsAsync<Gsm8kFormatException>(() =>
            Seeds.ParquetSeeds.ImportAsync(stream, new Gsm8kImportOptions { MaxItems = 3 }, CancellationToken.None));

        Assert.Equal("more than 3 items (row group 1 holds 5 rows)", e.Message);
    }

    [Fact]
    public async Task A_text_dataset_imports_with_the_text_family_and_an_unknown_family_is_refused()
    {
        var file = WriteJsonl("capitals.jsonl", [JsonLine("Capital of France?", "It is Paris.\n#### Paris")]);

        Assert.Equal(2, (await RunAsync("seeds", "import", file, "--artifacts", Artifacts)).Code);
        var (code, output) = await RunAsync("seeds", "import", file, "--family", "sonnets", "--artifacts", Artifacts);
        Assert.Equal(2, code);
        Assert.Contains("--family: unknown family 'sonnets'; known: gsm8k, text, copy", output, StringComparison.Ordinal);

        Assert.Equal(0, (await RunAsync("seeds", "import", file, "--family", "text", "--artifacts", Artifacts)).Code);
        Assert.Equal("text", Assert.Single(Stored("capitals")).Family);
    }
}
