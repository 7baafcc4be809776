using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Messaging;
using ActiveSynth.Student;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.HuggingFace;
using ActiveSynth.Student.Grading;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Scoring;

public static class ScoringHostingExtensions
{
    /// <summary>
    /// The scorer: options (validated at start), the LRU model cache on the configured device, graders of the
    /// registered task families, metrics, the shared scoring service and the consumer of
    /// <c>activesynth:score:requests</c> in group "scoring".
    /// </summary>
    public static TBuilder AddScoring<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddStudentRuntime();
        builder.Services.AddOptions<ScoringOptions>()
            .BindConfiguration(ScoringOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddMetrics();
        builder.Services.TryAddSingleton<ScoringMetrics>();
        builder.Services.TryAddSingleton(_ => TaskFamilyRegistry.Default);
        builder.Services.TryAddSingleton(sp => new GraderLookup(sp.GetRequiredService<TaskFamilyRegistry>().Families));
        builder.Services.TryAddSingleton(sp => new StudentModelCache(
            sp.GetRequiredService<CheckpointStore>(),
            sp.GetRequiredService<StudentDevice>().Device,
            sp.GetRequiredService<IOptions<ScoringOptions>>().Value.ModelCacheCapacity));
        builder.Services.TryAddSingleton<StudentScoringService>();
        ((IHostApplicationBuilder)builder).AddStreamConsumer<ScoreRequest, ScoreRequestHandler>(Streams.ScoreRequests, ConsumerGroups.Scoring);
        return builder;
    }
}
