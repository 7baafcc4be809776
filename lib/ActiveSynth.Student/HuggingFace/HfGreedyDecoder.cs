using ActiveSynth.Student.Generation;
using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// Batched greedy decoding for <see cref="HfStudent"/> (see <see cref="BatchedGreedyDecoding"/>). A row stops at a stop
/// token (eos_token_id(s), the template's end of turn), which counts as its terminator, after <c>maxNewTokens</c>, or at
/// the context.
/// </summary>
public static class HfGreedyDecoder
{
    public static IReadOnlyList<DecodedSequence> Decode(HfStudent student, IReadOnlyList<int[]> prompts, int maxNewTokens, bool useKvCache = true)
    {
        ArgumentNullException.ThrowIfNull(student);
        return new HfDecoding(student).Decode(prompts, maxNewTokens, useKvCache);
    }

    private sealed class HfDecoding(HfStudent student) : BatchedGreedyDecoding(student.Network, student.Device, student.Context)
    {
        private readonly HashSet<int> _stop = [.. student.StopTokenIds];

        protected override bool RecordsTerminator => true;

        // Masked out as a key; a real token id keeps the embedding lookup in range.
        protected override long PadToken(int[] prompt) => prompt[0];

        protected override bool IsTerminator(int token, bool answerSeen) => _stop.Contains(token);

        protected override string Text(int token) => student.Tokenizer.Decode([token]);

        protected override IDisposable StartCache(int batch, long promptLength, long capacity) => new HfKvCache(student.Network.LayerCount);

        // The LM head only at the selected position: over a large vocabulary, logits for every position would not fit.
        protected override Tensor Forward(Tensor input, Tensor positions, Tensor mask, IDisposable? cache, long select) =>
            student.Network.Logits(student.Network.ForwardHidden(input, positions, mask, (HfKvCache?)cache).select(1, select));

        protected override Tensor Step(Tensor input, Tensor positions, Tensor mask, IDisposable cache, long at, long capacity) =>
            student.Network.Logits(student.Network.ForwardHidden(input, positions, mask, (HfKvCache)cache).select(1, 0));
    }
}
