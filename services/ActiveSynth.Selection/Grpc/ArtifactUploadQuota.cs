using ActiveSynth.Core.Artifacts;
using ActiveSynth.Engine.Work;
using ActiveSynth.Selection.Options;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Selection.Grpc;

/// <summary>
/// Admits an upload by its announced size before any byte is written: within <c>Artifacts:Uploads:MaxFileBytes</c>, and with what
/// the store holds plus the uploads in flight, within <c>MaxRunBytes</c> for its run's folder and <c>MaxTotalBytes</c> for the
/// store. Admission is one at a time, so two uploads cannot both take the last room; the bytes stay reserved until the upload ends.
/// </summary>
public sealed class ArtifactUploadQuota(ArtifactStore artifacts, IOptions<ArtifactUploadOptions> options)
{
    private const string Field = "header.size_bytes";
    private readonly Lock _gate = new();
    private readonly Dictionary<string, long> _inFlightByRun = new(StringComparer.Ordinal);
    private long _inFlight;

    /// <summary>Reserves <paramref name="sizeBytes"/> for an upload to <paramref name="path"/>; <see cref="LimitExceededException"/> naming the limit otherwise.</summary>
    public IDisposable Admit(string path, long sizeBytes)
    {
        var limits = options.Value;
        if (sizeBytes > limits.MaxFileBytes)
        {
            throw new LimitExceededException(Field,
                $"{sizeBytes} bytes is more than one file may hold (Artifacts:Uploads:MaxFileBytes = {limits.MaxFileBytes}); nothing was written.");
        }
        var run = RunFolderOf(path);
        lock (_gate)
        {
            if (run is not null)
            {
                var held = artifacts.BytesUnder(run) + _inFlightByRun.GetValueOrDefault(run);
                if (held + sizeBytes > limits.MaxRunBytes)
                {
                    throw new LimitExceededException(Field,
                        $"{run}/ holds {held} bytes (uploads in flight included); {sizeBytes} more would pass Artifacts:Uploads:MaxRunBytes = {limits.MaxRunBytes}; nothing was written.");
                }
            }
            var total = artifacts.BytesUnder(null) + _inFlight;
            if (total + sizeBytes > limits.MaxTotalBytes)
            {
                throw new LimitExceededException(Field,
                    $"the artifact store holds {total} bytes (uploads in flight included); {sizeBytes} more would pass Artifacts:Uploads:MaxTotalBytes = {limits.MaxTotalBytes}; nothing was written.");
            }
            _inFlight += sizeBytes;
            if (run is not null)
            {
                _inFlightByRun[run] = _inFlightByRun.GetValueOrDefault(run) + sizeBytes;
            }
        }
        return new Reservation(this, run, sizeBytes);
    }

    /// <summary><c>runs/&lt;id&gt;</c> for a path inside a run's folder; null for any other path.</summary>
    internal static string? RunFolderOf(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 3 && parts[0] == "runs" ? $"runs/{parts[1]}" : null;
    }

    private void Release(string? run, long sizeBytes)
    {
        lock (_gate)
        {
            _inFlight -= sizeBytes;
            if (run is not null && (_inFlightByRun[run] -= sizeBytes) == 0)
            {
                _inFlightByRun.Remove(run);
            }
        }
    }

    private sealed class Reservation(ArtifactUploadQuota quota, string? run, long sizeBytes) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                quota.Release(run, sizeBytes);
            }
        }
    }
}
