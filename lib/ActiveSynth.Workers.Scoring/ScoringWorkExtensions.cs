using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Student;
using ActiveSynth.Student.Checkpoints;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Workers.Scoring;

/// <summary>
/// The Scoring worker's request handling, registered the same way by the Scoring service (which adds the stream consumer)
/// and by the in-process engine (which calls the handler directly).
/// </summary>
public static class ScoringWorkExtensions
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
        builder.Services.AddTaskGraders();
        builder.Services.TryAddSingleton(sp => new StudentModelCache(
            sp.GetRequiredService<CheckpointStore>(),
            sp.GetRequiredService<StudentDevice>().Device,
            sp.GetRequiredService<IOptions<ScoringOptions>>().Value.ModelCacheCapacity));
        builder.Services.TryAddSingleton<StudentScoringService>();
        builder.Services.TryAddSingleton<ScoreWork>();
        builder.Services.TryAddSingleton<IWorkHandler<ScoreRequest, ScoreResult>>(sp => sp.GetRequiredService<ScoreWork>());
        return builder;
    }
}
