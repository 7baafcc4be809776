using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ActiveSynth.Hosting.Grpc;

public static class GrpcServiceExtensions
{
    /// <summary>gRPC with the one exception-to-status interceptor (<see cref="RpcExceptionInterceptor"/>).</summary>
    public static IServiceCollection AddActiveSynthGrpc(this IServiceCollection services)
    {
        services.TryAddSingleton<RpcExceptionMap>();
        services.AddGrpc(options => options.Interceptors.Add<RpcExceptionInterceptor>());
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
