using System.Text.Json;
using ActiveSynth.Cli;
using ActiveSynth.Contracts.V1;
using Aspire.Hosting;
using Aspire.Hosting.Testing;
using Spectre.Console.Testing;
using Xunit.Abstractions;

namespace ActiveSynth.EndToEnd.Tests;

/// <summary>
/// The local deployment as the command line meets it: the AppHost records the Selection service's gRPC address in its local
/// deployment file (here the fixture's state folder, never the user's), and `activesynth runs` without --server finds the
/// deployment through it and lists its runs.
/// </summary>
[Collection(AppHostCollection.Name)]
public sealed class LocalDeploymentTests(AppHostFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task The_apphost_records_the_selection_address_and_runs_without_server_lists_a_run()
    {
        var file = Path.Combine(fixture.StateDir, "local-deployment.json");
        Assert.True(File.Exists(file), $"the AppHost wrote no {file}");
        using (var recorded = JsonDocument.Parse(await File.ReadAllTextAsync(file)))
        {
            output.WriteLine(recorded.RootElement.GetRawText());
            Assert.Equal(fixture.App.GetEndpoint("selection", "grpc"), new Uri(recorded.RootElement.GetProperty("selection").GetString()!));
            Assert.Equal(fixture.ArtifactsRoot, recorded.RootElement.GetProperty("artifacts_root").GetString());
            Assert.Equal(Environment.ProcessId, recorded.RootElement.GetProperty("pid").GetInt32()); // the AppHost runs in this test process
        }

        // A run to list: started and cancelled at once (it is listed whatever state it is in).
        var runs = new Runs.RunsClient(fixture.Channel("selection"));
        var runId = $"e2e-local-{Guid.NewGuid():N}"[..20];
        await runs.StartRunAsync(new StartRunRequest { RunId = runId, Spec = RunTests.SmallSpec(maxRounds: 1, maxSamples: 16) }, deadline: DateTime.UtcNow.AddSeconds(60));
        await runs.CancelRunAsync(new CancelRunRequest { RunId = runId, Reason = "listed by the local deployment test" }, deadline: DateTime.UtcNow.AddSeconds(30));

        var console = new TestConsole();
        console.Profile.Width = 400;
        var code = await CliApp.RunAsync(["runs"], console, name => name == "ACTIVESYNTH_STATE_DIR" ? fixture.StateDir : null);

        output.WriteLine(console.Output);
        Assert.Equal(0, code);
        Assert.Contains(runId, console.Output, StringComparison.Ordinal);
    }
}
