using System.ComponentModel;
using ActiveSynth.Contracts.V1;
using Grpc.Net.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli.Commands;

/// <summary>
/// Where the Selection service is: <c>--server</c>, else <c>ACTIVESYNTH_SERVER</c>, else the local deployment a running AppHost
/// recorded (<see cref="ServerAddress"/>).
/// </summary>
public class ServerSettings : CommandSettings
{
    private string? _address;

    [CommandOption("--server <URL>")]
    [Description("The Selection service's gRPC address (the AppHost prints it). Default: ACTIVESYNTH_SERVER, else the local deployment a running AppHost recorded.")]
    public string? Server { get; init; }

    /// <summary>The address in use, once validated.</summary>
    public string Address => _address ?? throw new InvalidOperationException("the settings have not been validated");

    public override ValidationResult Validate()
    {
        var resolved = ServerAddress.Resolve(Server, CliEnvironment.Variables);
        if (!resolved.Found)
        {
            return ValidationResult.Error(resolved.Error!);
        }
        _address = resolved.Address;
        return ValidationResult.Success();
    }

    public Runs.RunsClient Connect(out GrpcChannel channel)
    {
        channel = CliEnvironment.OpenChannel(Address);
        return new Runs.RunsClient(channel);
    }
}
