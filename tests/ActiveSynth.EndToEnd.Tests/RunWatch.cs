using ActiveSynth.Contracts.V1;
using Grpc.Core;

namespace ActiveSynth.EndToEnd.Tests;

/// <summary>Following a run through the Runs API until it finishes.</summary>
internal static class RunWatch
{
    /// <summary>Watches <paramref name="runId"/> from its start until RunFinished, then returns the run as GetRun reports it.</summary>
    public static async Task<Run> WaitFinishedAsync(this Runs.RunsClient runs, string runId, CancellationToken ct)
    {
        using var call = runs.WatchRun(new WatchRunRequest { RunId = runId, FromStart = true }, cancellationToken: ct);
        await foreach (var e in call.ResponseStream.ReadAllAsync(ct))
        {
            if (e.KindCase == RunEvent.KindOneofCase.RunFinished)
            {
                break;
            }
        }
        return await runs.GetRunAsync(new GetRunRequest { RunId = runId }, cancellationToken: ct);
    }
}
