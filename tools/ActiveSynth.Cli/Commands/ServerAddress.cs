using System.Text.Json;
using ActiveSynth.AppHost.Discovery;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli.Commands;

/// <summary>
/// Which Selection service a command talks to, first found wins: <c>--server &lt;url&gt;</c>, then the environment variable
/// <c>ACTIVESYNTH_SERVER</c>, then the local deployment: the address a running AppHost on this machine recorded in its local
/// deployment file (<c>$ACTIVESYNTH_STATE_DIR</c>, else <c>$XDG_STATE_HOME/activesynth</c>, else <c>~/.local/state/activesynth</c>,
/// <c>local-deployment.json</c>). A file whose AppHost is no longer running is not used.
/// </summary>
internal static class ServerAddress
{
    public const string Variable = "ACTIVESYNTH_SERVER";

    /// <summary>Where the address came from, for messages.</summary>
    public enum Source
    {
        Option,
        Environment,
        LocalDeployment,
    }

    /// <summary>An address and where it came from, or why there is none.</summary>
    public sealed record Resolution(string? Address, Source? From, string? Error)
    {
        public bool Found => Address is not null;
    }

    /// <summary>
    /// Resolves the address from <paramref name="option"/> (the --server value, or null), then <paramref name="environment"/>
    /// (<c>ACTIVESYNTH_SERVER</c>), then, unless <paramref name="useLocalDeployment"/> is false, the local deployment file found
    /// through <paramref name="environment"/>.
    /// </summary>
    public static Resolution Resolve(string? option, Func<string, string?> environment, bool useLocalDeployment = true)
    {
        ArgumentNullException.ThrowIfNull(environment);
        if (!string.IsNullOrWhiteSpace(option))
        {
            return Checked(option, Source.Option, "--server");
        }
        if (environment(Variable) is { } variable && !string.IsNullOrWhiteSpace(variable))
        {
            return Checked(variable, Source.Environment, Variable);
        }
        if (!useLocalDeployment)
        {
            return new Resolution(null, null, null);
        }
        var path = LocalDeploymentFile.PathFrom(environment);
        LocalDeployment? deployment;
        try
        {
            deployment = LocalDeploymentFile.Read(path);
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return Failed($"--server: the local deployment file {path} cannot be read ({ex.Message}); delete it, or pass --server <url> or set {Variable}");
        }
        if (deployment is null)
        {
            return Failed($"--server: no Selection service given and no local deployment running: pass --server <url> (the Selection service's gRPC " +
                          $"address, which the AppHost prints), set {Variable}, or start one with `dotnet run --project ActiveSynth.AppHost` " +
                          $"(it records its address in {path})");
        }
        if (!LocalDeploymentFile.IsAlive(deployment))
        {
            return Failed($"--server: the local deployment recorded in {path} (Selection at {deployment.Selection}, AppHost pid {deployment.Pid}) is no " +
                          $"longer running: start it again with `dotnet run --project ActiveSynth.AppHost`, or pass --server <url> or set {Variable}");
        }
        return Checked(deployment.Selection, Source.LocalDeployment, path);
    }

    /// <summary>
    /// For a command that runs in this process unless told otherwise (<c>compare</c>, <c>paper-table</c>): <c>--server &lt;url&gt;</c> is
    /// that address, <c>--server</c> alone the usual search (ACTIVESYNTH_SERVER, then the local deployment), no <c>--server</c> none.
    /// </summary>
    public static Resolution ForFlag(FlagValue<string>? flag, Func<string, string?> environment) =>
        flag is { IsSet: true } ? Resolve(flag.Value, environment) : new Resolution(null, null, null);

    /// <summary>The local deployment's artifact directory, when one is running; null otherwise.</summary>
    public static string? LocalDeploymentArtifacts(Func<string, string?> environment)
    {
        try
        {
            return LocalDeploymentFile.Read(LocalDeploymentFile.PathFrom(environment)) is { } deployment && LocalDeploymentFile.IsAlive(deployment)
                ? deployment.ArtifactsRoot
                : null;
        }
        catch (Exception ex) when (ex is JsonException or IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static Resolution Checked(string address, Source from, string origin) =>
        Uri.TryCreate(address.Trim(), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? new Resolution(address.Trim(), from, null)
            : Failed($"--server: '{address}' (from {origin}) is not an http(s) address of the Selection service");

    private static Resolution Failed(string error) => new(null, null, error);
}
