using ActiveSynth.Hosting;
using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Messaging;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Messaging.Requests;
using ActiveSynth.Teacher.Infrastructure;
using ActiveSynth.Workers.Teacher;
using ActiveSynth.Teachers.Caching;
using ActiveSynth.Teachers.Validation;

namespace ActiveSynth.Teacher;

/// <summary><c>builder.AddTeacher()</c>: the teacher's work with the response cache, start marks and duplicate set in Redis, answering generate and judge requests.</summary>
public static class TeacherServiceExtensions
{
    public static WebApplicationBuilder AddTeacher(this WebApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddRedisResponseCache();
        builder.Services.AddSingleton<ICallStartMarks, RedisCallStartMarks>();
        builder.Services.AddSingleton<ISeenQuestions, RedisSeenQuestions>();
        builder.AddTeacherWork();
        builder.Services.AddHostedService<TeacherPricingPublisher>();
        // Once per chunk id: a chunk that crashed between replying and marking is answered again with the same content (generation
        // is deterministic and its teacher replies come from the response cache the second time), which the requester applies once.
        builder.AddWorkHandler<GenerateChunk, GenerateChunkResult>(WorkKind.Generate, ConsumerGroups.Teacher, ReplyPolicy.Once);
        builder.AddWorkHandler<JudgeRequest, JudgeResponse>(WorkKind.Judge, ConsumerGroups.Teacher, ReplyPolicy.Once);
        return builder;
    }
}
