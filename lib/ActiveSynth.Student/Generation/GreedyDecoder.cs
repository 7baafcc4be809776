using ActiveSynth.Student.Modeling;
using ActiveSynth.Student.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Generation;

/// <summary>What greedy decoding produced for one prompt, with per-token statistics of the student's own choices.</summary>
/// <param name="Tokens">Generated tokens, the terminator (EOS, or the newline ending the <c>####</c> line) excluded.</param>
/// <param name="Terminated">True when a terminator was produced (false: the token limit or the context was hit).</param>
/// <param name="LogProbs">Log-probability of each chosen token, terminator included.</param>
/// <param name="Entropies">Predictive entropy (nats) at each generated token, terminator included.</param>
/// <param name="Margins">Top-1 minus top-2 probability at each generated token, terminator included.</param>
/// <param name="InAnswer">True for tokens after <c>####</c> (the final-answer part, terminator included).</param>
/// <param name="PromptTokens">Prompt length in tokens.</param>
/// <param name="TerminatorId">The terminator token when the student has several (a Hugging Face model's eos ids and end of turn); null otherwise.</param>
public sealed record DecodedSequence(int[] Tokens, bool Terminated, float[] LogProbs, float[] Entropies, float[] Margins, bool[] InAnswer, int PromptTokens,
    int? TerminatorId = null)
{
    /// <summary>Tokens the student was scored on: the generated ones plus the terminator.</summary>
    public int ScoredTokenCount => LogProbs.Length;
}

/// <summary>
/// Batched greedy decoding of the embedded student (see <see cref="BatchedGreedyDecoding"/>). Decoding stops at EOS or
/// at the newline that ends the <c>####</c> answer line, after <c>maxNewTokens</c>, or at the context length.
/// </summary>
public static class GreedyDecoder
{
    public static IReadOnlyList<DecodedSequence> Decode(StudentModel model, IReadOnlyList<int[]> prompts, int maxNewTokens, bool useKvCache = true)
    {
        ArgumentNullException.ThrowIfNull(model);
        return new EmbeddedDecoding(model).Decode(prompts, maxNewTokens, useKvCache);
    }

    private sealed class EmbeddedDecoding(StudentModel model) : BatchedGreedyDecoding(model.Network, model.Device, model.Config.Context)
    {
        // The cache starts with room for typical answers and doubles when a batch decodes longer (untouched room costs time).
        private const int InitialAnswerRoom = 40;

        private readonly int _hash = model.Tokenizer.Id('#');
        private readonly int _newline = model.Tokenizer.Id('\n');

        protected override bool RecordsTerminator => false;

        protected override long PadToken(int[] prompt) => CharTokenizer.Pad;

        protected override bool IsTerminator(int token, bool answerSeen) => token == CharTokenizer.Eos || (answerSeen && token == _newline);

        // One character per token: only whether it is '#' matters.
        protected override string Text(int token) => token == _hash ? "#" : " ";

        protected override IDisposable StartCache(int batch, long promptLength, long capacity) =>
            new KvCache(model.Config, batch, Math.Min(capacity, promptLength + InitialAnswerRoom), Device);

        protected override Tensor Forward(Tensor input, Tensor positions, Tensor mask, IDisposable? cache, long select) =>
            model.Network.Forward(input, positions, mask, (KvCache?)cache, 0).select(1, select);

        protected override Tensor Step(Tensor input, Tensor positions, Tensor mask, IDisposable cache, long at, long capacity)
        {
            var kv = (KvCache)cache;
            kv.EnsureCapacity(at + 1, capacity);
            return model.Network.Forward(input, positions, mask, kv, at).select(1, 0);
        }
    }
}
