using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using ActiveSynth.Hosting.Security;

namespace ActiveSynth.Hosting.Grpc;

public static class GrpcServiceExtensions
{
    /// <summary>
    /// gRPC with the deployment-key check first (<see cref="DeploymentKeyInterceptor"/>: a refused call never reaches a handler) and
    /// then the one exception-to-status interceptor (<see cref="RpcExceptionInterceptor"/>).
    /// </summary>
    public static IServiceCollection AddActiveSynthGrpc(this IServiceCollection services)
    {
        services.TryAddSingleton<RpcExceptionMap>();
        services.AddDeploymentSecurity();
        services.AddGrpc(options =>
        {
            options.Interceptors.Add<DeploymentKeyInterceptor>();
            options.Interceptors.Add<RpcExceptionInterceptor>();
        });
        return services;
    }

    /// <summary>Answers <typeparamref name="TException"/> as <paramref name="map"/> says, in every API of this service.</summary>
    public static IServiceCollection MapRpcException<TException>(this IServiceCollection services, Func<TException, RpcRefusal> map)
        where TException : Exception
    {
        ArgumentNullException.ThrowIfNull(map);
        services.AddSingleton(RpcExceptionMapping.For(map));
        return services;
    }
}
