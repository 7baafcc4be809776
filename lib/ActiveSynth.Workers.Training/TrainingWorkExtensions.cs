using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Student;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Workers.Training;

/// <summary>
/// The Training worker's request handling, registered the same way by the Training service (which adds the stream consumer)
/// and by the in-process engine (which calls the handler directly).
/// </summary>
public static class TrainingWorkExtensions
{
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
        builder.Services.AddTaskGraders();
        builder.Services.TryAddSingleton<StudentTrainingService>();
        builder.Services.TryAddSingleton<TrainWork>();
        builder.Services.TryAddSingleton<IWorkHandler<TrainRequest, TrainResult>>(sp => sp.GetRequiredService<TrainWork>());
        return builder;
    }
}
