using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;

namespace ActiveSynth.Hosting.Grpc;

/// <summary>A field of a request and what is wrong with it (a <c>google.rpc.BadRequest</c> field violation).</summary>
public sealed record FieldProblem(string Field, string Problem);

/// <summary>
/// What a refused call answers: a status code, a message for clients that read only <c>Status.Detail</c> ("field: problem; ..."),
/// and, for invalid arguments, the fields at fault as <c>google.rpc.BadRequest</c> in the rich status.
/// </summary>
public sealed record RpcRefusal(StatusCode Code, string Message, IReadOnlyList<FieldProblem> Fields)
{
    public static RpcRefusal Invalid(IReadOnlyList<FieldProblem> fields) =>
        new(StatusCode.InvalidArgument, string.Join("; ", fields.Select(f => $"{f.Field}: {f.Problem}")), fields);

    public static RpcRefusal Of(StatusCode code, string field, string problem) => new(code, $"{field}: {problem}", [new FieldProblem(field, problem)]);

    public RpcException ToRpcException()
    {
        var status = new Google.Rpc.Status { Code = (int)Code, Message = Message };
        if (Fields.Count > 0)
        {
            var badRequest = new BadRequest();
            badRequest.FieldViolations.AddRange(Fields.Select(f => new BadRequest.Types.FieldViolation { Field = f.Field, Description = f.Problem }));
            status.Details.Add(Any.Pack(badRequest));
        }
        return status.ToRpcException();
    }
}
