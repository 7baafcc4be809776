using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Scoring;

namespace ActiveSynth.Workers.Scoring;

/// <summary>Between the contract's messages and the student library's types.</summary>
public static class ScoringContractMapping
{
    /// <summary>What the student computes for a request: the contract's signals through the loop's one mapping; none = own-answer NLL.</summary>
    public static SignalNeeds ToSignals(IEnumerable<SignalKind> kinds)
    {
        var signals = kinds.ToCore() & SignalNeedsExtensions.StudentComputed;
        return signals == SignalNeeds.None ? SignalNeeds.OwnNll : signals;
    }

    public static ScoreSignals ToContract(this ItemScore s)
    {
        var signals = new ScoreSignals
        {
            ItemId = s.ItemId,
            Family = s.Family,
            StudentAnswer = s.StudentAnswer,
            StudentFinalAnswer = s.StudentFinalAnswer ?? "",
            TokenCount = s.TokenCount,
        };
        if (s.OwnMeanNll is { } own)
        {
            signals.OwnAnswerMeanNll = own;
        }
        if (s.OwnTotalNll is { } total)
        {
            signals.OwnAnswerTotalNll = total;
        }
        if (s.AnswerTokenNll is { } answer)
        {
            signals.AnswerTokenNll = answer;
        }
        if (s.ReferenceMeanNll is { } reference)
        {
            signals.ReferenceNll = reference;
        }
        if (s.ReferenceTotalNll is { } referenceTotal)
        {
            signals.ReferenceTotalNll = referenceTotal;
        }
        if (s.Correct is { } correct)
        {
            signals.Correct = correct;
        }
        if (s.MeanEntropy is { } entropy)
        {
            signals.MeanEntropy = entropy;
        }
        if (s.MeanMargin is { } margin)
        {
            signals.MeanMargin = margin;
        }
        if (s.Embedding is { } embedding)
        {
            signals.Embedding.AddRange(embedding);
        }
        if (s.GradientEmbedding is { } gradient)
        {
            signals.GradientEmbedding.AddRange(gradient);
        }
        return signals;
    }
}
