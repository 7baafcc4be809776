using Grpc.Health.V1;
using Grpc.Net.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace ActiveSynth.AppHost.Grpc;

public static class GrpcHealthCheckExtensions
{
    /// <summary>
    /// Health of a service from its grpc.health.v1.Health service (an HTTP/1.1 probe cannot talk to an
    /// HTTP/2-only endpoint). The service's health includes Redis and, where it has one, libtorch.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithGrpcHealthCheck(this IResourceBuilder<ProjectResource> service)
    {
        var endpoint = service.GetEndpoint(GrpcEndpoint.Name);
        var key = $"{service.Resource.Name}_grpc_health";
        var check = new GrpcHealthCheck(endpoint); // one instance, so its channel is reused across checks
        service.ApplicationBuilder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
            key, _ => check, failureStatus: null, tags: null));
        return service.WithHealthCheck(key);
    }

    private sealed class GrpcHealthCheck(EndpointReference endpoint) : IHealthCheck
    {
        private GrpcChannel? _channel;

        public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
        {
            if (!endpoint.IsAllocated)
            {
                return HealthCheckResult.Unhealthy("gRPC endpoint not allocated yet");
            }
            try
            {
                _channel ??= GrpcChannel.ForAddress(endpoint.Url);
                var reply = await new Health.HealthClient(_channel).CheckAsync(
                    new HealthCheckRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: ct);
                return reply.Status == HealthCheckResponse.Types.ServingStatus.Serving
                    ? HealthCheckResult.Healthy()
                    : HealthCheckResult.Unhealthy($"grpc.health.v1 status {reply.Status}");
            }
            catch (global::Grpc.Core.RpcException ex)
            {
                return HealthCheckResult.Unhealthy($"grpc.health.v1 call failed: {ex.StatusCode}");
            }
        }
    }
}
