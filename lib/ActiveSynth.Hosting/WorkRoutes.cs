using ActiveSynth.Contracts;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Messaging.Requests;

namespace ActiveSynth.Hosting;

/// <summary>The request and reply streams of each kind of loop work.</summary>
public static class WorkRoutes
{
    public static readonly RequestRoute Score = new(Streams.ScoreRequests, Streams.ScoreResults);
    public static readonly RequestRoute Generate = new(Streams.GenerateRequests, Streams.GenerateResults);
    public static readonly RequestRoute Train = new(Streams.TrainRequests, Streams.TrainResults);
    public static readonly RequestRoute Judge = new(Streams.JudgeRequests, Streams.JudgeResults);

    public static RequestRoute For(WorkKind kind) => kind switch
    {
        WorkKind.Score => Score,
        WorkKind.Generate => Generate,
        WorkKind.Train => Train,
        WorkKind.Judge => Judge,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "unknown work kind"),
    };
}
