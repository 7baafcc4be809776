using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Scoring;

namespace ActiveSynth.Workers.Scoring;

/// <summary>Between the contract's messages and the student library's types.</summary>
public static class ScoringContractMapping
{
    public static StudentSignals ToSignals(IEnumerable<SignalKind> kinds)
    {
        var signals = StudentSignals.None;
        foreach (var kind in kinds)
        {
            signals |= kind switch
            {
                SignalKind.OwnAnswerNll => StudentSignals.OwnAnswerNll,
                SignalKind.AnswerTokenNll => StudentSignals.AnswerTokenNll,
                SignalKind.ReferenceNll => StudentSignals.ReferenceNll,
                SignalKind.Correctness => StudentSignals.Correctness,
                SignalKind.EntropyMargin => StudentSignals.EntropyMargin,
                SignalKind.Embedding => StudentSignals.Embedding,
                SignalKind.GradientEmbedding => StudentSignals.GradientEmbedding,
                _ => StudentSignals.None,
            };
        }
        return signals == StudentSignals.None ? StudentSignals.OwnAnswerNll : signals;
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
