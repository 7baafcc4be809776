using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Messaging.Requests;
using Google.Protobuf;

namespace ActiveSynth.Hosting;

/// <summary>An engine work handler (the one the in-process transport calls) answering requests from its stream.</summary>
public sealed class WorkRequestHandler<TRequest, TResult>(IWorkHandler<TRequest, TResult> work) : IRequestHandler<TRequest, TResult>
    where TRequest : IMessage<TRequest>
    where TResult : IMessage<TResult>
{
    public Task<TResult> HandleAsync(TRequest request, string requestId, CancellationToken ct) => work.HandleAsync(request, requestId, ct);
}
