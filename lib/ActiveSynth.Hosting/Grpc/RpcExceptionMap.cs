using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using Grpc.Core;

namespace ActiveSynth.Hosting.Grpc;

/// <summary>
/// Which exceptions a service answers as a refusal, and how. Every service knows the engine's (a bad request field, a bad
/// run spec, a configured limit); a service adds its own with <see cref="GrpcServiceExtensions.MapRpcException{TException}"/>. Anything not
/// mapped stays an internal error, whose text never reaches the client.
/// </summary>
public sealed class RpcExceptionMap(IEnumerable<RpcExceptionMapping> added)
{
    private readonly List<RpcExceptionMapping> _maps =
    [
        RpcExceptionMapping.For<InvalidRequestException>(ex => RpcRefusal.Of(StatusCode.InvalidArgument, ex.Field, ex.Reason)),
        RpcExceptionMapping.For<SpecValidationException>(ex => RpcRefusal.Invalid([.. ex.Errors.Select(e => new FieldProblem(e.Field, e.Problem))])),
        RpcExceptionMapping.For<LimitExceededException>(ex => ex.Field is null
            ? new RpcRefusal(StatusCode.ResourceExhausted, ex.Reason, [])
            : RpcRefusal.Of(StatusCode.ResourceExhausted, ex.Field, ex.Reason)),
        .. added,
    ];

    /// <summary>The refusal of the last mapping whose type <paramref name="error"/> is (a service's own before the engine's).</summary>
    public bool TryMap(Exception error, out RpcRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(error);
        for (var i = _maps.Count - 1; i >= 0; i--)
        {
            if (_maps[i].Type.IsInstanceOfType(error))
            {
                refusal = _maps[i].Map(error);
                return true;
            }
        }
        refusal = null!;
        return false;
    }
}

/// <summary>One exception type and the refusal it stands for.</summary>
public sealed record RpcExceptionMapping(System.Type Type, Func<Exception, RpcRefusal> Map)
{
    public static RpcExceptionMapping For<TException>(Func<TException, RpcRefusal> map) where TException : Exception =>
        new(typeof(TException), ex => map((TException)ex));
}
