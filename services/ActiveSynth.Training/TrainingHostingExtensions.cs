using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Messaging;
using ActiveSynth.Student.Work;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ActiveSynth.Training;

public static class TrainingHostingExtensions
{
    /// <summary>
    /// The trainer's work (<see cref="StudentWorkExtensions.AddTrainingWork"/>), per-request leases, the optional base warm-up
    /// and the consumer of <c>activesynth:train:requests</c> in group "training".
    /// </summary>
    public static TBuilder AddTraining<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddTrainingWork();
        builder.Services.TryAddSingleton<TrainingLeases>();
        builder.Services.AddHostedService<BaseWarmupService>();
        ((IHostApplicationBuilder)builder).AddStreamConsumer<TrainRequest, TrainRequestHandler>(Streams.TrainRequests, ConsumerGroups.Training);
        return builder;
    }
}
