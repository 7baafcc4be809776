using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Teachers.Caching;
using ActiveSynth.Teachers.Embedded;
using ActiveSynth.Teachers.Resilience;
using ActiveSynth.Teachers.Usage;
using ActiveSynth.Teachers.Validation;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Workers.Teacher;

/// <summary>
/// The Teacher worker's request handling, registered the same way by the Teacher service (which adds Redis for the response
/// cache and the duplicate set, and the stream consumer) and by the in-process engine (in-memory cache and duplicate set).
/// </summary>
public static class TeacherWorkExtensions
{
    /// <summary>
    /// Options (validated at start), the teacher pipelines (embedded, and the OpenAI-compatible endpoint of
    /// <c>ConnectionStrings:teacher</c>), validation, prices, metrics, <see cref="TeacherWork"/> and <see cref="JudgeWork"/>.
    /// A response store (<c>IDistributedCache</c>), start marks and a duplicate set registered before this call are kept; otherwise they are in memory.
    /// </summary>
    public static TBuilder AddTeacherWork<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
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
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<TeacherMetrics>();
        services.TryAddSingleton(sp => new PriceTable(sp.GetRequiredService<IOptions<TeacherServiceOptions>>().Value.Prices));
        services.TryAddSingleton(sp => new SampleValidator(TaskFamilyRegistry.Default, sp.GetRequiredService<IOptions<ValidationOptions>>().Value));
        services.AddDistributedMemoryCache();
        services.TryAddSingleton<ICallStartMarks, InMemoryCallStartMarks>();
        services.TryAddSingleton<ISeenQuestions, InMemorySeenQuestions>();
        services.TryAddSingleton<TeacherClients>();
        services.TryAddSingleton<TeacherWork>();
        services.TryAddSingleton<IWorkHandler<GenerateChunk, GenerateChunkResult>>(sp => sp.GetRequiredService<TeacherWork>());
        services.TryAddSingleton<JudgeWork>();
        services.TryAddSingleton<IWorkHandler<JudgeRequest, JudgeResponse>>(sp => sp.GetRequiredService<JudgeWork>());
        return builder;
    }
}
