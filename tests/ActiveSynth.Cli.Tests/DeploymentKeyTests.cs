using ActiveSynth.Contracts.Security;
using ActiveSynth.Testing;
using Spectre.Console.Testing;

namespace ActiveSynth.Cli.Tests;

/// <summary>
/// The command line against a keyed deployment over HTTPS (a real Selection process, a deployment CA): it presents the operator
/// key and trusts the CA from its environment, and without the key it says what to set instead of failing with a stack trace.
/// </summary>
public sealed class DeploymentKeyTests
{
    [Fact]
    public async Task The_command_line_reaches_a_keyed_deployment_with_the_operator_key_from_its_environment_and_says_what_is_missing_without_it()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await using var deployment = await SecureDeployment.StartAsync("127.0.0.1", cts.Token);
        Dictionary<string, string?> environment = new() { [DeploymentCredential.CaVariable] = deployment.Certificates.CaPath };

        var (refused, refusal) = await RunAsync(environment, "runs", "--server", deployment.SelectionUrl);
        Assert.Equal(CliApp.NotAllowed, refused);
        Assert.Contains("no deployment key", refusal, StringComparison.Ordinal);
        Assert.Contains(DeploymentCredential.KeyVariable, refusal, StringComparison.Ordinal);

        environment[DeploymentCredential.KeyVariable] = deployment.WorkerKey;
        var (wrongRole, wrongRoleOutput) = await RunAsync(environment, "runs", "--server", deployment.SelectionUrl);
        Assert.Equal(CliApp.NotAllowed, wrongRole);
        Assert.Contains("the worker key may not call", wrongRoleOutput, StringComparison.Ordinal);

        environment[DeploymentCredential.KeyVariable] = deployment.OperatorKey;
        var (listed, output) = await RunAsync(environment, "runs", "--server", deployment.SelectionUrl);
        Assert.True(listed == 0, output);
    }

    private static async Task<(int Code, string Output)> RunAsync(Dictionary<string, string?> environment, params string[] args)
    {
        var console = new TestConsole();
        console.Profile.Width = 2000;
        var code = await CliApp.RunAsync(args, console, name => environment.GetValueOrDefault(name));
        return (code, console.Output);
    }
}
