using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Messaging;
using ActiveSynth.Student.Work;

namespace ActiveSynth.Scoring;

public static class ScoringHostingExtensions
{
    /// <summary>The scorer's work (<see cref="StudentWorkExtensions.AddScoringWork"/>) and the consumer of <c>activesynth:score:requests</c> in group "scoring".</summary>
    public static TBuilder AddScoring<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.AddScoringWork();
        ((IHostApplicationBuilder)builder).AddStreamConsumer<ScoreRequest, ScoreRequestHandler>(Streams.ScoreRequests, ConsumerGroups.Scoring);
        return builder;
    }
}
