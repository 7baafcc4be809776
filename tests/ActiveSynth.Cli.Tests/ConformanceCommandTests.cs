namespace ActiveSynth.Cli.Tests;

/// <summary>`activesynth conformance` refuses what it cannot check before touching Redis (the kit itself runs in ActiveSynth.Conformance.Tests).</summary>
public sealed class ConformanceCommandTests
{
    [Fact]
    public async Task An_unknown_kind_is_refused_naming_the_option()
    {
        var (code, output) = await CliRun.RunAsync("conformance", "--kind", "selection");
        Assert.Equal(CliApp.BadArguments, code);
        Assert.Contains("--kind must be teacher, scoring or training, got 'selection'", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_a_redis_connection_string_in_the_environment_nothing_runs()
    {
        var saved = Environment.GetEnvironmentVariable("ConnectionStrings__redis");
        Environment.SetEnvironmentVariable("ConnectionStrings__redis", null);
        try
        {
            var (code, output) = await CliRun.RunAsync("conformance", "--kind", "teacher");
            Assert.Equal(CliApp.BadArguments, code);
            Assert.Contains("ConnectionStrings__redis is not set", output, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable("ConnectionStrings__redis", saved);
        }
    }
}
