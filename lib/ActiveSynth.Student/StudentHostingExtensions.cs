using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActiveSynth.Student;

public static class StudentHostingExtensions
{
    /// <summary>Student device options (validated at start) and a health check that proves libtorch works on that device.</summary>
    public static TBuilder AddStudentRuntime<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<StudentDeviceOptions>()
            .BindConfiguration(StudentDeviceOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddHealthChecks().AddCheck<TorchHealthCheck>("torch", tags: ["ready"]);
        return builder;
    }
}
