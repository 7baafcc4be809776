using System.Diagnostics;
using ActiveSynth.Engine.Specs;

namespace ActiveSynth.Engine.Work;

/// <summary>One trace per round: stage spans under the round's root span (null when nothing listens).</summary>
public interface IRoundTracer
{
    Activity? StartStage(int round, string stage);

    void EndRound(int round);
}

/// <summary>A run without tracing.</summary>
public sealed class NoRoundTracer : IRoundTracer
{
    public static readonly NoRoundTracer Instance = new();

    public Activity? StartStage(int round, string stage) => null;

    public void EndRound(int round)
    {
    }
}
