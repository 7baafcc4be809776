using System.Text.Json;
using ActiveSynth.Cli.PaperTable;
using ActiveSynth.Testing;
using Spectre.Console.Testing;

namespace ActiveSynth.Cli.Tests;

/// <summary>
/// The paper table's report is a function of its runs: `activesynth report` computes every published
/// <c>benchmarks/results/paper-table*.json</c> again from its runs and configuration, and the JSON, Markdown and PNG must be the
/// published files byte for byte. Until
/// one is published, the same check runs on a table built from a small fixture of runs (Fixtures/paper-table-runs.json), and
/// the fixture's claims are checked against its figures.
/// </summary>
public sealed class PaperTableReportTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("activesynth-paper-table-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData(0.0123, "+1.2")]
    [InlineData(-0.0123, "-1.2")]
    [InlineData(-0.0004, "+0.0")] // rounds to zero: not "-+0.0"
    [InlineData(0.0, "+0.0")]
    public void Signed_points_never_write_a_negative_zero(double fraction, string expected) =>
        Assert.Equal(expected, PaperTableMarkdown.SignedPoints(fraction));

    [Fact]
    public async Task Every_published_paper_table_renders_again_to_its_published_markdown_and_png()
    {
        var published = Directory.GetFiles(RepositoryFiles.Path("benchmarks", "results"), "paper-table*.json").Order(StringComparer.Ordinal).ToList();
        if (published.Count == 0)
        {
            var fixture = FixtureReport();
            await PaperTableFiles.WriteAsync(fixture, Path.Combine(_dir, "published", "paper-table"), CancellationToken.None);
            published = [Path.Combine(_dir, "published", "paper-table.json")];
        }
        foreach (var json in published)
        {
            var copy = Path.Combine(_dir, Path.GetFileName(json));
            File.Copy(json, copy, overwrite: true);

            var console = new TestConsole();
            Assert.Equal(0, await CliApp.RunAsync(["report", copy], console));

            var name = Path.GetFileNameWithoutExtension(json);
            var source = Path.GetDirectoryName(json)!;
            Assert.Equal(await File.ReadAllTextAsync(Path.Combine(source, name + ".md")), await File.ReadAllTextAsync(Path.Combine(_dir, name + ".md")));
            var publishedPng = await File.ReadAllBytesAsync(Path.Combine(source, name + ".png"));
            var renderedPng = await File.ReadAllBytesAsync(Path.Combine(_dir, name + ".png"));
            Assert.True(publishedPng.AsSpan().SequenceEqual(renderedPng), $"{name}.png rendered from {name}.json differs from the published one");
            // The cells, ranks and claims computed again from the runs are the published ones.
            Assert.Equal((await File.ReadAllTextAsync(json)).TrimEnd(), (await File.ReadAllTextAsync(copy)).TrimEnd());
        }
    }

    [Fact]
    public void The_fixture_table_ranks_pairs_and_states_the_claims_from_its_figures()
    {
        var report = FixtureReport();

        Assert.Equal(["strings/seed", "strings/overgenerate", "arith-logic/seed", "arith-logic/overgenerate"], report.Settings);
        Assert.Equal(4 * 5, report.Cells.Count);
        foreach (var setting in report.Settings)
        {
            var cells = report.Cells.Where(c => c.Setting == setting).OrderBy(c => c.Rank).ToList();
            Assert.Equal([1, 2, 3, 4, 5], cells.Select(c => c.Rank));
            Assert.Equal(cells.Select(c => c.FinalMean).OrderDescending(), cells.Select(c => c.FinalMean));
            var random = cells.Single(c => c.Strategy == "random");
            Assert.Equal(0, random.DeltaFinal!.Mean);
            var lossHigh = cells.Single(c => c.Strategy == "loss-high");
            var expected = report.Runs.Where(r => $"{r.Benchmark}/{r.Mode}" == setting && r.Strategy == "loss-high").OrderBy(r => r.Seed)
                .Zip(report.Runs.Where(r => $"{r.Benchmark}/{r.Mode}" == setting && r.Strategy == "random").OrderBy(r => r.Seed), (a, b) => a.Final - b.Final).Average();
            Assert.Equal(expected, lossHigh.DeltaFinal!.Mean, 12);
            Assert.InRange(lossHigh.DeltaFinal.Mean, lossHigh.DeltaFinal.CiLow, lossHigh.DeltaFinal.CiHigh);
            Assert.Equal(lossHigh.DeltaFinal.PerSeed.Count(d => d > 0), lossHigh.WinsFinal);
        }
        // The fixture puts loss-high well above static, incorrect and badge in every setting: claims 1 and 2 hold, with its figures.
        var claims = report.Claims.ToDictionary(c => c.Id);
        Assert.Equal("holds", claims["closed-loop-beats-static"].Verdict);
        Assert.Contains("holds in all 4 settings", claims["closed-loop-beats-static"].Text, StringComparison.Ordinal);
        var strings = report.FinalDifference("strings/seed", "loss-high", "static")!;
        Assert.Contains(FormattableString.Invariant($"strings/seed {100 * strings.Mean:+0.0;-0.0} [{100 * strings.CiLow:+0.0;-0.0}, {100 * strings.CiHigh:+0.0;-0.0}] points"),
            claims["closed-loop-beats-static"].Text, StringComparison.Ordinal);
        Assert.Equal("holds", claims["simple-beats-llm-specific-and-complex"].Verdict);
        Assert.Contains("`loss-high` ranks strings/seed 1 of 5", claims["simple-beats-llm-specific-and-complex"].Text, StringComparison.Ordinal);
        Assert.Equal("holds", claims["ranking-across-benchmarks"].Verdict);
        var markdown = PaperTableMarkdown.Render(report);
        Assert.StartsWith("# Paper table: 5 strategies × 3 paired seeds × 2 generation modes × 2 benchmarks", markdown, StringComparison.Ordinal);
        Assert.Equal(claims["closed-loop-beats-static"].Text, markdown.Split("\n")[2].Split(" Claim 2")[0]);
    }

    [Fact]
    public void A_claim_whose_strategies_did_not_run_says_it_is_not_tested()
    {
        var runs = FixtureRuns().Where(r => r.Strategy is "random" or "loss-high" && r.Benchmark == "strings").ToList();
        var report = PaperTableReport.Build(new Dictionary<string, string>(), "random", Benchmarks, ["seed", "overgenerate"], ["random", "loss-high"], runs);

        Assert.All(report.Claims.Where(c => c.Id != "student-learned"), c => Assert.Equal("not tested", c.Verdict));
        Assert.Contains("`loss-high` and `static` did not both run", report.Claims[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void With_fewer_than_three_seeds_every_verdict_is_only_indicative_and_the_paragraph_says_why()
    {
        var runs = FixtureRuns().Where(r => r.Seed == 0).ToList();
        var report = PaperTableReport.Build(new Dictionary<string, string>(), "random", Benchmarks, ["seed", "overgenerate"],
            ["random", "static", "loss-high", "incorrect", "badge"], runs);

        Assert.StartsWith("With 1 paired seed the intervals below are no intervals", report.Claims[0].Text, StringComparison.Ordinal);
        Assert.All(report.Claims, c => Assert.StartsWith("indicative (", c.Verdict, StringComparison.Ordinal));
    }

    [Fact]
    public void A_setting_where_the_student_did_not_learn_is_named_and_left_out_of_the_verdicts()
    {
        // arith-logic/overgenerate flattened: every run ends 1 point above its base, whatever the strategy.
        var runs = FixtureRuns().Select(r => r.Benchmark == "arith-logic" && r.Mode == "overgenerate" ? r with { Final = r.AccuracyByRound[0] + 0.01 } : r).ToList();
        var report = PaperTableReport.Build(new Dictionary<string, string>(), "random", Benchmarks, ["seed", "overgenerate"],
            ["random", "static", "loss-high", "incorrect", "badge"], runs);
        var claims = report.Claims.ToDictionary(c => c.Id);

        Assert.Equal(["arith-logic/overgenerate"], PaperTableClaims.FlatSettings(report));
        Assert.Equal("partly", claims["student-learned"].Verdict);
        Assert.StartsWith("The student did not learn in 1 of 4 settings", claims["student-learned"].Text, StringComparison.Ordinal);
        Assert.Contains("arith-logic/overgenerate (base 25.0 %", claims["student-learned"].Text, StringComparison.Ordinal);
        Assert.Contains("holds in all 3 settings", claims["closed-loop-beats-static"].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("arith-logic/overgenerate", claims["closed-loop-beats-static"].Text, StringComparison.Ordinal);
        Assert.DoesNotContain("overgenerate:", claims["ranking-across-benchmarks"].Text, StringComparison.Ordinal);
        Assert.Equal("holds", FixtureReport().Claims.Single(c => c.Id == "student-learned").Verdict);
    }

    [Fact]
    public void With_three_benchmarks_every_pair_where_the_student_learned_is_compared()
    {
        // A third benchmark whose runs are strings' runs: its ranking is strings' exactly (ρ = 1 for that pair in each mode).
        var runs = FixtureRuns();
        runs.AddRange(runs.Where(r => r.Benchmark == "strings").Select(r => r with { Benchmark = "letters", RunId = r.RunId + "-letters" }).ToList());
        var benchmarks = new Dictionary<string, string>(Benchmarks) { ["letters"] = "swap,back,rot" };
        var report = PaperTableReport.Build(new Dictionary<string, string>(), "random", benchmarks, ["seed", "overgenerate"],
            ["random", "static", "loss-high", "incorrect", "badge"], runs);
        var claim = report.Claims.Single(c => c.Id == "ranking-across-benchmarks");

        Assert.Contains("between the benchmarks where the student learned", claim.Text, StringComparison.Ordinal);
        foreach (var mode in new[] { "seed", "overgenerate" })
        {
            Assert.Contains($"{mode}, strings and letters: Spearman ρ = 1.00 over 5 strategies", claim.Text, StringComparison.Ordinal);
            Assert.Contains($"{mode}, strings and arith-logic: Spearman ρ =", claim.Text, StringComparison.Ordinal);
            Assert.Contains($"{mode}, arith-logic and letters: Spearman ρ =", claim.Text, StringComparison.Ordinal);
        }
        Assert.Equal(3 * 2 * 5, report.Cells.Count);
    }

    private static readonly Dictionary<string, string> Benchmarks = new() { ["strings"] = "copy,rev,shift", ["arith-logic"] = "sum10,bool" };

    private static List<PaperTableRun> FixtureRuns() =>
        JsonSerializer.Deserialize<List<PaperTableRun>>(File.ReadAllText(RepositoryFiles.Path("tests", "ActiveSynth.Cli.Tests", "Fixtures", "paper-table-runs.json")),
            PaperTableReport.JsonOptions)!;

    private static PaperTableReport FixtureReport() => PaperTableReport.Build(
        new Dictionary<string, string> { ["engine"] = "fixture", ["budget"] = "tokens=120000" }, "random", Benchmarks, ["seed", "overgenerate"],
        ["random", "static", "loss-high", "incorrect", "badge"], FixtureRuns());
}
