using ActiveSynth.Contracts.Security;
using Grpc.Net.Client;

namespace ActiveSynth.Cli;

/// <summary>
/// The environment variables the command line reads to find and reach a deployment (ACTIVESYNTH_SERVER, ACTIVESYNTH_STATE_DIR,
/// XDG_STATE_HOME, HOME; ACTIVESYNTH_KEY and ACTIVESYNTH_CA for one past loopback): the process's, unless <see cref="CliApp.RunAsync"/> was given others for one invocation (tests run
/// many invocations in one process, side by side).
/// </summary>
internal static class CliEnvironment
{
    private static readonly AsyncLocal<Func<string, string?>?> Override = new();

    public static Func<string, string?> Variables => Override.Value ?? Environment.GetEnvironmentVariable;

    /// <summary>Uses <paramref name="variables"/> in this asynchronous flow (the caller's flow is untouched when it returns).</summary>
    public static void Use(Func<string, string?> variables) => Override.Value = variables;

    /// <summary>A channel to the Selection service at <paramref name="address"/> with the operator key and CA of the environment, if set.</summary>
    public static GrpcChannel OpenChannel(string address) => DeploymentCredential.FromEnvironment(Variables).Open(address);
}
