using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Messaging;
using ActiveSynth.Teacher.Consumers;
using ActiveSynth.Teacher.Infrastructure;
using ActiveSynth.Teacher.Options;
using ActiveSynth.Teacher.Teaching;
using ActiveSynth.Teachers.Caching;
using ActiveSynth.Teachers.Embedded;
using ActiveSynth.Teachers.Resilience;
using ActiveSynth.Teachers.Usage;
using ActiveSynth.Teachers.Validation;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Teacher;

/// <summary><c>builder.AddTeacher()</c>: options (validated at start), the teacher pipelines, Redis cache and duplicate set, metrics, the stream consumer.</summary>
public static class TeacherServiceExtensions
{
    public static WebApplicationBuilder AddTeacher(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var services = builder.Services;
        services.AddOptions<TeacherServiceOptions>().BindConfiguration(TeacherServiceOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<TeacherServiceOptions>, TeacherConnectionValidator>();
        services.AddOptions<ResponseCacheOptions>().BindConfiguration(ResponseCacheOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<RetryOptions>().BindConfiguration("Teacher:Retry").ValidateDataAnnotations()
            .Validate(o => o.BaseDelay <= o.MaxDelay, "Teacher:Retry:BaseDelay must not exceed MaxDelay.").ValidateOnStart();
        services.AddOptions<RateLimitOptions>().BindConfiguration("Teacher:RateLimits").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<ValidationOptions>().BindConfiguration("Teacher:Validation").ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<EmbeddedTeacherOptions>().BindConfiguration("Teacher:Embedded").ValidateDataAnnotations().ValidateOnStart();

        services.AddMetrics();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<TeacherMetrics>();
        services.AddSingleton(sp => new PriceTable(sp.GetRequiredService<IOptions<TeacherServiceOptions>>().Value.Prices));
        services.AddSingleton(sp => new SampleValidator(TaskFamilyRegistry.Default, sp.GetRequiredService<IOptions<ValidationOptions>>().Value));
        services.AddSingleton<IResponseCache, RedisResponseCache>();
        services.AddSingleton<ISeenQuestions, RedisSeenQuestions>();
        services.AddSingleton<TeacherClients>();
        services.AddSingleton<TeacherWork>();
        services.AddSingleton<JudgeWork>();
        builder.AddStreamConsumer<GenerateRequest, GenerateRequestHandler>(Streams.GenerateRequests, ConsumerGroups.Teacher);
        return builder;
    }
}
