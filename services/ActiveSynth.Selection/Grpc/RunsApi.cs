using System.Globalization;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Engine.Runs;
using ActiveSynth.Selection.Runs;
using Grpc.Core;
using ActiveSynth.Hosting.Security;

namespace ActiveSynth.Selection.Grpc;

/// <summary>The Runs API over <see cref="RunService"/>; a bad spec answers InvalidArgument naming every bad field (the exception map).</summary>
[AllowRoles(DeploymentRoles.Operator)]
public sealed class RunsApi(RunService runs, RedisRunStore store, RunWatcher watcher) : Contracts.V1.Runs.RunsBase
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 500;

    public override async Task<Run> StartRun(StartRunRequest request, ServerCallContext context)
    {
        var run = await runs.StartAsync(request.Spec, request.RunId, context.CancellationToken);
        return run.ToContract(RunView.Full);
    }

    public override async Task<Run> GetRun(GetRunRequest request, ServerCallContext context) =>
        (await runs.GetAsync(request.RunId)).ToContract(request.View == RunView.Basic ? RunView.Basic : RunView.Full);

    public override async Task<ListRunsResponse> ListRuns(ListRunsRequest request, ServerCallContext context)
    {
        if (request.PageSize < 0)
        {
            throw new InvalidRequestException("page_size", "must be >= 0");
        }
        var skip = 0;
        if (request.PageToken.Length > 0 && (!int.TryParse(request.PageToken, NumberStyles.None, CultureInfo.InvariantCulture, out skip) || skip < 0))
        {
            throw new InvalidRequestException("page_token", "not a token from ListRunsResponse.next_page_token");
        }
        var size = request.PageSize == 0 ? DefaultPageSize : Math.Min(request.PageSize, MaxPageSize);
        var view = request.View == RunView.Full ? RunView.Full : RunView.Basic;
        var response = new ListRunsResponse();
        var ids = await store.ListIdsAsync();
        var position = 0;
        var matched = 0;
        for (; position < ids.Count && response.Runs.Count < size; position++)
        {
            var run = await store.GetAsync(ids[position]);
            if (run is null || !Matches(run, request))
            {
                continue;
            }
            if (matched++ >= skip)
            {
                response.Runs.Add(run.ToContract(view));
            }
        }
        if (position < ids.Count)
        {
            response.NextPageToken = (skip + response.Runs.Count).ToString(CultureInfo.InvariantCulture);
        }
        return response;
    }

    public override Task WatchRun(WatchRunRequest request, IServerStreamWriter<RunEvent> responseStream, ServerCallContext context) =>
        watcher.WatchAsync(request, responseStream, context.CancellationToken);

    public override async Task<Run> CancelRun(CancelRunRequest request, ServerCallContext context) =>
        (await runs.CancelAsync(request.RunId, request.Reason)).ToContract(RunView.Full);

    public override async Task<Run> ResumeRun(ResumeRunRequest request, ServerCallContext context)
    {
        return (await runs.ResumeAsync(request.RunId, request.Budget)).ToContract(RunView.Full);
    }

    public override async Task<DeleteRunResponse> DeleteRun(DeleteRunRequest request, ServerCallContext context)
    {
        try
        {
            var deleted = await runs.DeleteAsync(request.RunId, request.Force, request.Force ? "DeleteRun, force" : "DeleteRun", context.CancellationToken);
            return new DeleteRunResponse { RunId = request.RunId, KeysDeleted = deleted.Keys, FilesDeleted = deleted.Files };
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
        {
            // The artifact directory could not be deleted (nothing of the run's keys was): say why, so it can be fixed and retried.
            throw new RpcException(new Status(StatusCode.FailedPrecondition, $"run_id: the artifacts of run '{request.RunId}' could not be deleted: {ex.Message}"));
        }
    }

    private static bool Matches(StoredRun run, ListRunsRequest request) =>
        (request.States.Count == 0 || request.States.Contains(run.State.Status.ToContract()))
        && request.Labels.All(l => run.Spec.Labels.TryGetValue(l.Key, out var value) && value == l.Value);
}
