using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Selection.Probes;
using Grpc.Core;
using ActiveSynth.Hosting.Security;

namespace ActiveSynth.Selection.Grpc;

/// <summary>Diagnostics.Probe: checks, through Redis, that every worker kind is consuming its streams.</summary>
[AllowRoles(DeploymentRoles.Operator, DeploymentRoles.Service)]
public sealed class DiagnosticsApi(ProbeCoordinator coordinator) : Diagnostics.DiagnosticsBase
{
    private static readonly string[] WorkerKinds = [ConsumerGroups.Teacher, ConsumerGroups.Scoring, ConsumerGroups.Training];
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxTimeout = TimeSpan.FromSeconds(60);

    public override async Task<ProbeReport> Probe(ProbeRequest request, ServerCallContext context)
    {
        var targets = ValidateTargets(request);
        var timeout = ValidateTimeout(request);
        return await coordinator.ProbeAsync(targets, timeout, context.CancellationToken);
    }

    private static string[] ValidateTargets(ProbeRequest request)
    {
        if (request.Targets.Count == 0)
        {
            return WorkerKinds;
        }
        for (var i = 0; i < request.Targets.Count; i++)
        {
            if (!WorkerKinds.Contains(request.Targets[i]))
            {
                throw new RpcException(new Status(StatusCode.InvalidArgument,
                    $"targets[{i}]: unknown service '{request.Targets[i]}'; expected one of {string.Join(", ", WorkerKinds)}."));
            }
        }
        return [.. request.Targets.Distinct()];
    }

    private static TimeSpan ValidateTimeout(ProbeRequest request)
    {
        if (request.Timeout is null)
        {
            return DefaultTimeout;
        }
        var timeout = request.Timeout.ToTimeSpan();
        if (timeout <= TimeSpan.Zero || timeout > MaxTimeout)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument,
                $"timeout: must be more than 0 and at most {MaxTimeout.TotalSeconds:0} s, got {timeout.TotalSeconds} s."));
        }
        return timeout;
    }
}
