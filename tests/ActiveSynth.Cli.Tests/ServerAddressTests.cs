using System.Diagnostics;
using ActiveSynth.AppHost.Discovery;
using ActiveSynth.Cli.Commands;
using Spectre.Console.Testing;

namespace ActiveSynth.Cli.Tests;

/// <summary>
/// Which Selection service `runs`, `watch`, `cancel`, `runs delete` (and `compare --server`, `run --server`) talk to: --server
/// first, then ACTIVESYNTH_SERVER, then the local deployment file a running AppHost wrote; a file whose AppHost is gone is not
/// used; and with none of them a clear error saying what to do. The environment is given per call, never the process's.
/// </summary>
public sealed class ServerAddressTests : IDisposable
{
    private const string FromOption = "http://127.0.0.1:7101";
    private const string FromVariable = "http://127.0.0.1:7102";
    private const string FromFile = "http://127.0.0.1:7103";

    private readonly string _stateDir = Directory.CreateTempSubdirectory("activesynth-cli-state-").FullName;

    public void Dispose() => Directory.Delete(_stateDir, recursive: true);

    private string DeploymentFile => Path.Combine(_stateDir, LocalDeploymentFile.FileName);

    private Func<string, string?> Environment(string? server = null) => name => name switch
    {
        LocalDeploymentFile.StateDirVariable => _stateDir,
        ServerAddress.Variable => server,
        _ => null,
    };

    /// <summary>A deployment file as a running AppHost writes it: this test process stands in for the AppHost.</summary>
    private void WriteLiveDeployment(string selection = FromFile)
    {
        var (pid, startedAt) = LocalDeploymentFile.CurrentProcess();
        LocalDeploymentFile.Write(DeploymentFile, new LocalDeployment(selection, "http://localhost:15080", Path.Combine(_stateDir, "artifacts"), pid, startedAt));
    }

    [Fact]
    public void The_option_comes_before_the_variable_and_the_local_deployment()
    {
        WriteLiveDeployment();

        var resolved = ServerAddress.Resolve(FromOption, Environment(server: FromVariable));

        Assert.Equal((FromOption, ServerAddress.Source.Option), (resolved.Address, resolved.From));
    }

    [Fact]
    public void The_variable_comes_before_the_local_deployment()
    {
        WriteLiveDeployment();

        var resolved = ServerAddress.Resolve(null, Environment(server: FromVariable));

        Assert.Equal((FromVariable, ServerAddress.Source.Environment), (resolved.Address, resolved.From));
    }

    [Fact]
    public void Without_option_or_variable_the_running_local_deployment_is_used()
    {
        WriteLiveDeployment();

        var resolved = ServerAddress.Resolve(null, Environment());

        Assert.Equal((FromFile, ServerAddress.Source.LocalDeployment), (resolved.Address, resolved.From));
        Assert.Equal(Path.Combine(_stateDir, "artifacts"), ServerAddress.LocalDeploymentArtifacts(Environment()));
    }

    [Fact]
    public void A_deployment_file_whose_apphost_is_gone_is_not_used_and_the_error_says_so()
    {
        // A process that has exited: its id names no process (or, reused, one that started at another time).
        using var gone = Process.Start(new ProcessStartInfo("true") { UseShellExecute = false })!;
        gone.WaitForExit();
        LocalDeploymentFile.Write(DeploymentFile, new LocalDeployment(FromFile, null, "/nowhere", gone.Id, DateTimeOffset.UtcNow.AddMinutes(-1)));

        var resolved = ServerAddress.Resolve(null, Environment());

        Assert.False(resolved.Found);
        Assert.Contains(DeploymentFile, resolved.Error, StringComparison.Ordinal);
        Assert.Contains("no longer running", resolved.Error, StringComparison.Ordinal);
        Assert.Null(ServerAddress.LocalDeploymentArtifacts(Environment()));
    }

    [Fact]
    public void A_reused_process_id_is_not_taken_for_the_apphost()
    {
        var (pid, _) = LocalDeploymentFile.CurrentProcess();
        LocalDeploymentFile.Write(DeploymentFile, new LocalDeployment(FromFile, null, "/nowhere", pid, new DateTimeOffset(2001, 1, 1, 0, 0, 0, TimeSpan.Zero)));

        Assert.Contains("no longer running", ServerAddress.Resolve(null, Environment()).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void With_nothing_to_go_on_the_error_says_what_to_do()
    {
        var resolved = ServerAddress.Resolve(null, Environment());

        Assert.False(resolved.Found);
        foreach (var hint in new[] { "--server <url>", ServerAddress.Variable, "dotnet run --project ActiveSynth.AppHost", DeploymentFile })
        {
            Assert.Contains(hint, resolved.Error, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void A_bad_address_is_refused_naming_where_it_came_from()
    {
        Assert.Contains($"(from {ServerAddress.Variable})", ServerAddress.Resolve(null, Environment(server: "ftp://example")).Error, StringComparison.Ordinal);
        WriteLiveDeployment(selection: "not an address");
        Assert.Contains($"(from {DeploymentFile})", ServerAddress.Resolve(null, Environment()).Error, StringComparison.Ordinal);
        File.WriteAllText(DeploymentFile, "{ torn");
        Assert.Contains("cannot be read", ServerAddress.Resolve(null, Environment()).Error, StringComparison.Ordinal);
    }

    [Fact]
    public void The_state_directory_is_the_variable_else_xdg_state_home_else_home()
    {
        Assert.Equal(Path.Combine("/x/state", "local-deployment.json"),
            LocalDeploymentFile.PathFrom(n => n switch { "ACTIVESYNTH_STATE_DIR" => "/x/state", "XDG_STATE_HOME" => "/xdg", _ => "/home/u" }));
        Assert.Equal("/xdg/activesynth/local-deployment.json", LocalDeploymentFile.PathFrom(n => n switch { "XDG_STATE_HOME" => "/xdg", "HOME" => "/home/u", _ => null }));
        Assert.Equal("/home/u/.local/state/activesynth/local-deployment.json", LocalDeploymentFile.PathFrom(n => n == "HOME" ? "/home/u" : null));
    }

    [Theory]
    [InlineData("runs")]
    [InlineData("watch", "some-run")]
    [InlineData("cancel", "some-run")]
    [InlineData("runs", "delete", "some-run")]
    public async Task Without_a_server_anywhere_the_commands_exit_2_saying_what_to_do(params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 2000;

        var code = await CliApp.RunAsync(args, console, Environment());

        Assert.Equal(CliApp.BadArguments, code);
        Assert.Contains("no Selection service given and no local deployment running", console.Output, StringComparison.Ordinal);
        Assert.Contains(DeploymentFile, console.Output.Replace("\n", "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Compare_with_a_bare_server_flag_and_no_deployment_is_refused_and_without_the_flag_stays_in_process()
    {
        var console = new TestConsole();
        console.Profile.Width = 2000;

        Assert.Equal(CliApp.BadArguments, await CliApp.RunAsync(["compare", "--server", "--strategies", "random,nope"], console, Environment()));
        Assert.Contains("'nope'", console.Output, StringComparison.Ordinal); // the strategies are checked first

        console = new TestConsole();
        console.Profile.Width = 2000;
        Assert.Equal(CliApp.BadArguments, await CliApp.RunAsync(["compare", "--server", "--seeds", "0"], console, Environment()));
        Assert.Contains("--seeds must be", console.Output, StringComparison.Ordinal);

        console = new TestConsole();
        console.Profile.Width = 2000;
        Assert.Equal(CliApp.BadArguments, await CliApp.RunAsync(["compare", "--server", "--name", "UPPER"], console, Environment()));
        Assert.Contains("no local deployment running", console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Run_with_a_bare_server_flag_takes_the_local_deployment_and_with_local_refuses_both()
    {
        var console = new TestConsole();
        console.Profile.Width = 2000;
        Assert.Equal(CliApp.BadArguments, await CliApp.RunAsync(["run", "--server"], console, Environment()));
        Assert.Contains("no local deployment running", console.Output, StringComparison.Ordinal);

        console = new TestConsole();
        console.Profile.Width = 2000;
        Assert.Equal(CliApp.BadArguments, await CliApp.RunAsync(["run", "--local", "--server"], console, Environment()));
        Assert.Contains("choose where to run", console.Output, StringComparison.Ordinal);

        // Without --server a run never goes to the local deployment by surprise: it asks where to run.
        WriteLiveDeployment();
        console = new TestConsole();
        console.Profile.Width = 2000;
        Assert.Equal(CliApp.BadArguments, await CliApp.RunAsync(["run", "--strategy", "loss-high"], console, Environment()));
        Assert.Contains("choose where to run", console.Output, StringComparison.Ordinal);
    }
}
