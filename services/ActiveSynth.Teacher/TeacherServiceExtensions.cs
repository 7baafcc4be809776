using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Messaging;
using ActiveSynth.Teacher.Consumers;
using ActiveSynth.Teacher.Infrastructure;
using ActiveSynth.Teacher.Teaching;
using ActiveSynth.Teachers.Caching;
using ActiveSynth.Teachers.Validation;

namespace ActiveSynth.Teacher;

/// <summary><c>builder.AddTeacher()</c>: the teacher's work with the response cache and duplicate set in Redis, and the stream consumer.</summary>
public static class TeacherServiceExtensions
{
    public static WebApplicationBuilder AddTeacher(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<IResponseCache, RedisResponseCache>();
        builder.Services.AddSingleton<ISeenQuestions, RedisSeenQuestions>();
        builder.AddTeacherWork();
        builder.AddStreamConsumer<GenerateChunk, GenerateRequestHandler>(Streams.GenerateRequests, ConsumerGroups.Teacher);
        return builder;
    }
}
