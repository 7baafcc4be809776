using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Hosting.Security;

/// <summary>
/// Checks every call's deployment key against the method's roles (<see cref="AllowRolesAttribute"/>) before the handler runs,
/// so a refused call has no effect. Unauthenticated: no key, or not one of this deployment's; PermissionDenied: a key whose role
/// the method does not allow. Without keys (the loopback-only local profile, enforced at start) every call passes.
/// </summary>
public sealed class DeploymentKeyInterceptor(IOptions<DeploymentSecurityOptions> options, ILogger<DeploymentKeyInterceptor> logger) : Interceptor
{
    private const string HealthPrefix = "/grpc.health.v1.Health/";
    private const string ReflectionPrefix = "/grpc.reflection.";

    public override Task<TResponse> UnaryServerHandler<TRequest, TResponse>(TRequest request, ServerCallContext context,
        UnaryServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, context);
    }

    public override Task<TResponse> ClientStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        ServerCallContext context, ClientStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, context);
    }

    public override Task ServerStreamingServerHandler<TRequest, TResponse>(TRequest request, IServerStreamWriter<TResponse> responseStream,
        ServerCallContext context, ServerStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(request, responseStream, context);
    }

    public override Task DuplexStreamingServerHandler<TRequest, TResponse>(IAsyncStreamReader<TRequest> requestStream,
        IServerStreamWriter<TResponse> responseStream, ServerCallContext context, DuplexStreamingServerMethod<TRequest, TResponse> continuation)
    {
        Authorize(context);
        return continuation(requestStream, responseStream, context);
    }

    private void Authorize(ServerCallContext context)
    {
        var keys = options.Value.Keys;
        if (!keys.Any || context.Method.StartsWith(HealthPrefix, StringComparison.Ordinal))
        {
            return; // health stays anonymous: orchestrators probe it, and it tells nothing but "serving"
        }
        var http = context.GetHttpContext();
        var allowed = http.GetEndpoint()?.Metadata.GetMetadata<AllowRolesAttribute>()?.Roles
            ?? (context.Method.StartsWith(ReflectionPrefix, StringComparison.Ordinal) ? [DeploymentRoles.Operator] : []);
        var header = http.Request.Headers.Authorization.ToString();
        var bearer = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header["Bearer ".Length..].Trim() : null;
        var needed = allowed.Count == 0 ? "no role (the method declares none)" : $"the {string.Join(" or ", allowed)} key";
        if (string.IsNullOrEmpty(bearer))
        {
            throw Refuse(context, StatusCode.Unauthenticated, $"no deployment key: {context.Method} needs {needed}, sent as 'authorization: Bearer <key>'.");
        }
        var role = keys.RoleOf(bearer);
        if (role is null)
        {
            throw Refuse(context, StatusCode.Unauthenticated, $"the key presented is not one of this deployment's keys ({context.Method} needs {needed}).");
        }
        if (!allowed.Contains(role))
        {
            throw Refuse(context, StatusCode.PermissionDenied, $"the {role} key may not call {context.Method}: it needs {needed}.");
        }
    }

    private RpcException Refuse(ServerCallContext context, StatusCode status, string reason)
    {
        logger.CallRefused(context.Method, context.Peer, status, reason);
        return new RpcException(new Status(status, reason));
    }
}
