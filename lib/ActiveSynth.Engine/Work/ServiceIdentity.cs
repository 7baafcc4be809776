using ActiveSynth.Engine.Specs;

namespace ActiveSynth.Engine.Work;

/// <summary>Which service kind this process is and which replica: shown in probe replies and telemetry.</summary>
public sealed record ServiceIdentity(string Kind, string Instance)
{
    public static ServiceIdentity ForCurrentProcess(string kind) =>
        new(kind, $"{Environment.MachineName}-{Environment.ProcessId}");
}
