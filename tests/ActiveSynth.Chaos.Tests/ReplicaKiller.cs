using StackExchange.Redis;

namespace ActiveSynth.Chaos.Tests;

/// <summary>
/// kill -9 of the replica that holds a stream's in-flight work: it watches the group's pending entries (XPENDING) and kills
/// the first live holder that is a replica of the kind, so the kill lands mid-request. If the work passes too fast to be
/// seen in flight, it kills a replica anyway when the stage is over (still mid-round) and says so. <c>when</c>, if given, must
/// also hold at the kill (e.g. a teacher call is in flight at the endpoint).
/// </summary>
public sealed class ReplicaKiller(ChaosFixture fixture)
{
    public async Task<string> KillHolderAsync(string kind, string stream, Func<Task<bool>> stillInStage, TimeSpan timeout, Func<bool>? when = null)
    {
        var db = fixture.Redis.GetDatabase();
        var deadline = DateTime.UtcNow + timeout;
        while (DateTime.UtcNow < deadline)
        {
            foreach (var holder in when is null || when() ? await InFlightWork.HoldersAsync(db, stream, kind) : [])
            {
                if (fixture.Deployment.InstanceOf(kind, holder.Pid) is { } instance)
                {
                    await Deployment.KillAsync(holder.Pid);
                    return $"kill -9 {instance} (pid {holder.Pid}) holding {holder.Pending} in-flight {stream} entr{(holder.Pending == 1 ? "y" : "ies")}";
                }
            }
            if (!await stillInStage())
            {
                break;
            }
            await Task.Delay(10);
        }
        var (resourceId, pid) = fixture.Deployment.Processes(kind).FirstOrDefault();
        Assert.True(pid > 0, $"no running {kind} replica to kill");
        await Deployment.KillAsync(pid);
        return $"kill -9 {resourceId} (pid {pid}) after its stage (no in-flight {stream} entry was seen)";
    }
}
