using Microsoft.Extensions.Hosting;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Messaging.Requests;
using Google.Protobuf;

namespace ActiveSynth.Hosting;

/// <summary>The engine's work kinds as request/reply over streams, for the workers and for the Selection service.</summary>
public static class WorkHostingExtensions
{
    /// <summary>
    /// A worker of <paramref name="kind"/> in consumer group <paramref name="group"/>: the registered
    /// <see cref="IWorkHandler{TRequest,TResult}"/> answers each request from the kind's stream (<see cref="WorkRoutes"/>).
    /// </summary>
    public static IHostApplicationBuilder AddWorkHandler<TRequest, TResult>(this IHostApplicationBuilder builder, WorkKind kind, string group,
        ReplyPolicy policy)
        where TRequest : class, IMessage<TRequest>, new()
        where TResult : IMessage<TResult>
    {
        return builder.AddRequestHandler<TRequest, TResult, WorkRequestHandler<TRequest, TResult>>(WorkRoutes.For(kind), group, policy);
    }

    /// <summary>
    /// A requester of every work kind (the Selection service): the <see cref="RequestClient"/> and the consumers that store the
    /// replies of the three reply streams in group <paramref name="group"/> (stored before ack, so none is lost).
    /// </summary>
    public static IHostApplicationBuilder AddWorkRequests(this IHostApplicationBuilder builder, string group)
    {
        builder.AddReplies<ScoreResult>(WorkRoutes.Score, group);
        builder.AddReplies<GenerateChunkResult>(WorkRoutes.Generate, group);
        builder.AddReplies<TrainResult>(WorkRoutes.Train, group);
        builder.AddReplies<JudgeResponse>(WorkRoutes.Judge, group);
        return builder;
    }
}
