using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Messaging;
using ActiveSynth.Student;
using ActiveSynth.Student.Grading;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ActiveSynth.Training;

public static class TrainingHostingExtensions
{
    /// <summary>
    /// The trainer: options (validated at start), the student runtime (device, checkpoint store), task families and
    /// graders, metrics, the shared training service, per-request leases, the optional base warm-up and the consumer of
    /// <c>activesynth:train:requests</c> in group "training".
    /// </summary>
    public static TBuilder AddTraining<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddStudentRuntime();
        builder.Services.AddOptions<TrainingServiceOptions>()
            .BindConfiguration(TrainingServiceOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.BaseDifficulties.Split(',', StringSplitOptions.RemoveEmptyEntries).All(d => int.TryParse(d, out var v) && v > 0),
                "Training:BaseDifficulties must be a comma-separated list of positive integers.")
            .Validate(o => o.DModel % o.Heads == 0, "Training:DModel must be divisible by Training:Heads.")
            .ValidateOnStart();
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<TrainingMetrics>();
        builder.Services.TryAddSingleton(_ => TaskFamilyRegistry.Default);
        builder.Services.TryAddSingleton(sp => new GraderLookup(sp.GetRequiredService<TaskFamilyRegistry>().Families));
        builder.Services.TryAddSingleton<StudentTrainingService>();
        builder.Services.TryAddSingleton<TrainingLeases>();
        builder.Services.AddHostedService<BaseWarmupService>();
        ((IHostApplicationBuilder)builder).AddStreamConsumer<TrainRequest, TrainRequestHandler>(Streams.TrainRequests, ConsumerGroups.Training);
        return builder;
    }
}
