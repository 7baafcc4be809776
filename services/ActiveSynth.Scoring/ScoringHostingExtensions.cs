using Grpc.Core;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Hosting.Grpc;
using ActiveSynth.Hosting;
using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Messaging.Requests;
using ActiveSynth.Workers.Scoring;

namespace ActiveSynth.Scoring;

public static class ScoringHostingExtensions
{
    /// <summary>A missing checkpoint is NotFound, a corrupted one FailedPrecondition, in every API of this service.</summary>
    public static RpcExceptionMapping CheckpointRefusal { get; } = RpcExceptionMapping.For<CheckpointException>(ex =>
        new RpcRefusal(ex.IsMissing ? StatusCode.NotFound : StatusCode.FailedPrecondition, StudentScoringService.Describe(ex), []));

    /// <summary>
    /// The scorer's work (<see cref="ScoringWorkExtensions.AddScoringWork"/>) answering <c>activesynth:score:requests</c> in group
    /// "scoring". Scoring has no side effect besides its reply, so a redelivery is simply scored again (same reply, same id).
    /// </summary>
    public static TBuilder AddScoring<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton(CheckpointRefusal);
        builder.AddScoringWork();
        builder.AddWorkHandler<ScoreRequest, ScoreResult>(WorkKind.Score, ConsumerGroups.Scoring, ReplyPolicy.EveryDelivery);
        return builder;
    }
}
