using Spectre.Console.Testing;

namespace ActiveSynth.Cli.Tests;

/// <summary>Runs the command line in this process on a wide test console: its exit code and everything it printed.</summary>
internal static class CliRun
{
    public static async Task<(int Code, string Output)> RunAsync(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 2000;
        var code = await CliApp.RunAsync(args, console);
        return (code, console.Output);
    }
}
