using Grpc.Core;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Hosting.Grpc;
using ActiveSynth.Hosting;
using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Messaging.Requests;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using ActiveSynth.Workers.Training;

namespace ActiveSynth.Training;

public static class TrainingHostingExtensions
{
    /// <summary>A missing checkpoint is NotFound, a corrupted one FailedPrecondition, in every API of this service.</summary>
    public static RpcExceptionMapping CheckpointRefusal { get; } = RpcExceptionMapping.For<CheckpointException>(ex =>
        new RpcRefusal(ex.IsMissing ? StatusCode.NotFound : StatusCode.FailedPrecondition, TrainWork.Describe(ex), []));

    /// <summary>Prefix of the per-request leases: <c>activesynth:training:lease:&lt;request id&gt;</c>.</summary>
    public const string LeasePrefix = "activesynth:training:lease";

    /// <summary>
    /// The trainer's work (<see cref="TrainingWorkExtensions.AddTrainingWork"/>) answering <c>activesynth:train:requests</c> in group
    /// "training", once per request id and one replica at a time (a lease in Redis): a redelivery after a crash republishes the
    /// checkpoint already written for that run and round instead of training twice. Plus the optional base warm-up.
    /// </summary>
    public static TBuilder AddTraining<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddSingleton(CheckpointRefusal);
        builder.AddTrainingWork();
        builder.Services.AddSingleton<IRequestLease>(sp => new RedisRequestLease(
            sp.GetRequiredService<IConnectionMultiplexer>(),
            LeasePrefix,
            sp.GetRequiredService<IOptions<TrainingServiceOptions>>().Value.RequestLeaseTime,
            sp.GetRequiredService<ServiceIdentity>().Instance,
            sp.GetRequiredService<ILogger<RedisRequestLease>>()));
        builder.Services.AddHostedService<BaseWarmupService>();
        builder.AddWorkHandler<TrainRequest, TrainResult>(WorkKind.Train, ConsumerGroups.Training, ReplyPolicy.OnceUnderLease);
        return builder;
    }
}
