using System.ComponentModel;
using ActiveSynth.Contracts.V1;
using Grpc.Net.Client;
using Spectre.Console;
using Spectre.Console.Cli;

namespace ActiveSynth.Cli.Commands;

/// <summary>Where the Selection service is: its gRPC address, shown in the Aspire dashboard.</summary>
public class ServerSettings : CommandSettings
{
    [CommandOption("--server <URL>")]
    [Description("The Selection service's gRPC address (see the dashboard), or ACTIVESYNTH_SERVER.")]
    public string? Server { get; init; } = Environment.GetEnvironmentVariable("ACTIVESYNTH_SERVER");

    public override ValidationResult Validate() =>
        Uri.TryCreate(Server, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? ValidationResult.Success()
            : ValidationResult.Error("--server: an http(s) address of the Selection service is required (or set ACTIVESYNTH_SERVER)");

    public Runs.RunsClient Connect(out GrpcChannel channel)
    {
        channel = GrpcChannel.ForAddress(Server!);
        return new Runs.RunsClient(channel);
    }
}
