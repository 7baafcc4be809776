using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Scoring;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.Grading;
using ActiveSynth.Training;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Student.Work;

/// <summary>
/// The Scoring and Training workers' request handling, registered the same way by their services (which add the stream
/// consumers) and by the in-process engine (which calls the handlers directly).
/// </summary>
public static class StudentWorkExtensions
{
    /// <summary>
    /// Scoring: options (validated at start), the LRU model cache on the configured device, graders of the registered task
    /// families, metrics, <see cref="StudentScoringService"/> and its loop handler <see cref="ScoreWork"/>.
    /// </summary>
    public static TBuilder AddScoringWork<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddStudentRuntime();
        builder.Services.AddOptions<ScoringOptions>()
            .BindConfiguration(ScoringOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<ScoringMetrics>();
        AddGraders(builder.Services);
        builder.Services.TryAddSingleton(sp => new StudentModelCache(
            sp.GetRequiredService<CheckpointStore>(),
            sp.GetRequiredService<StudentDevice>().Device,
            sp.GetRequiredService<IOptions<ScoringOptions>>().Value.ModelCacheCapacity));
        builder.Services.TryAddSingleton<StudentScoringService>();
        builder.Services.TryAddSingleton<ScoreWork>();
        builder.Services.TryAddSingleton<IWorkHandler<ScoreRequest, ScoreResult>>(sp => sp.GetRequiredService<ScoreWork>());
        return builder;
    }

    /// <summary>
    /// Training: options (validated at start), the student runtime (device, checkpoint store), task families and graders,
    /// metrics, <see cref="StudentTrainingService"/> and its loop handler <see cref="TrainWork"/>.
    /// </summary>
    public static TBuilder AddTrainingWork<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
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
        AddGraders(builder.Services);
        builder.Services.TryAddSingleton<StudentTrainingService>();
        builder.Services.TryAddSingleton<TrainWork>();
        builder.Services.TryAddSingleton<IWorkHandler<TrainRequest, TrainResult>>(sp => sp.GetRequiredService<TrainWork>());
        return builder;
    }

    private static void AddGraders(IServiceCollection services)
    {
        services.TryAddSingleton(_ => TaskFamilyRegistry.Default);
        services.TryAddSingleton(sp => new GraderLookup(sp.GetRequiredService<TaskFamilyRegistry>()));
    }
}
