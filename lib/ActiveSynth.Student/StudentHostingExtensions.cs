using ActiveSynth.Core.Artifacts;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Checkpoints;
using ActiveSynth.Student.Grading;
using ActiveSynth.Student.HuggingFace;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using TorchSharp;

namespace ActiveSynth.Student;

public static class StudentHostingExtensions
{
    /// <summary>
    /// Student device options (validated at start), a health check that proves libtorch works on that device, the
    /// resolved <see cref="StudentDevice"/>, the <see cref="CheckpointStore"/> and the <see cref="HfCheckpointStore"/> over the
    /// registered <see cref="ArtifactStore"/>, and the process's one <see cref="HfStudentCache"/> (its kept Hugging Face base).
    /// </summary>
    public static TBuilder AddStudentRuntime<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<StudentDeviceOptions>()
            .BindConfiguration(StudentDeviceOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHealthChecks().AddCheck<TorchHealthCheck>("torch", tags: ["ready"]);
        builder.Services.TryAddSingleton(sp => new StudentDevice(sp.GetRequiredService<IOptions<StudentDeviceOptions>>().Value));
        builder.Services.TryAddSingleton(sp => new CheckpointStore(sp.GetRequiredService<ArtifactStore>()));
        builder.Services.AddOptions<StudentModelsOptions>()
            .BindConfiguration(StudentDeviceOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton(sp => new HfCheckpointStore(sp.GetRequiredService<ArtifactStore>(),
            sp.GetRequiredService<IOptions<StudentModelsOptions>>().Value.ModelsRoot));
        builder.Services.TryAddSingleton(sp => new HfStudentCache(sp.GetRequiredService<HfCheckpointStore>(), sp.GetRequiredService<StudentDevice>().Device));
        return builder;
    }

    /// <summary>The registered task families (<see cref="TaskFamilyRegistry.Default"/> unless one is registered) and their graders.</summary>
    public static IServiceCollection AddTaskGraders(this IServiceCollection services)
    {
        services.TryAddSingleton(_ => TaskFamilyRegistry.Default);
        services.TryAddSingleton(sp => new GraderLookup(sp.GetRequiredService<TaskFamilyRegistry>()));
        return services;
    }
}

/// <summary>The device the student runs on, resolved once from <see cref="StudentDeviceOptions"/> (which also sets the thread count).</summary>
public sealed class StudentDevice(StudentDeviceOptions options)
{
    private readonly Lazy<torch.Device> _device = new(() => TorchRuntime.ResolveDevice(options));

    public torch.Device Device => _device.Value;

    public string Name => options.Device;
}
