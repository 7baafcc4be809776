using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Generation;
using ActiveSynth.Student.Modeling;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Scoring;

/// <summary>
/// What <see cref="StudentScorer"/> needs from a student, so that the embedded char-level GPT and a Hugging Face
/// checkpoint compute the same signals with one scorer: its prompt format, batched greedy decoding with per-token
/// statistics, and a teacher-forced forward pass that yields logits and the LM head's input.
/// </summary>
public interface IScoringStudent
{
    Device Device { get; }

    /// <summary>Size of the logits' last dimension (the BADGE embedding is <c>VocabSize × HiddenSize</c>).</summary>
    int VocabSize { get; }

    /// <summary>Width of the final hidden state (the embedding's length).</summary>
    int HiddenSize { get; }

    /// <summary>Greedy answers to <paramref name="questions"/>, in the student's prompt format.</summary>
    IReadOnlyList<DecodedSequence> DecodeGreedy(IReadOnlyList<string> questions, int maxNewTokens, bool useKvCache);

    /// <summary>The text of generated tokens (special tokens left out).</summary>
    string DecodeText(IReadOnlyList<int> tokens);

    /// <summary>Prompt and reference answer (with the terminator) as token ids, cut to the student's context.</summary>
    (int[] Prompt, int[] Target) ReferencePair(TaskItem item);

    /// <summary>Prompt and the student's own answer (with its terminator when it produced one), cut to the context.</summary>
    (int[] Prompt, int[] Target) OwnAnswerPair(string question, DecodedSequence decoded);

    /// <summary>
    /// Teacher-forced forward of a right-padded batch in eval mode under the caller's <c>no_grad</c>: the final
    /// normalised hidden state (B,T,HiddenSize), the LM head's input, in the caller's dispose scope.
    /// </summary>
    Tensor ForwardTeacherForced(TeacherForcedBatch batch);

    /// <summary>
    /// float32 logits (N,VocabSize) of hidden states (N,HiddenSize). Separate from the forward pass so that the scorer
    /// applies the LM head only where it reads logits (answer positions): over a 152k vocabulary, logits for every
    /// position of a batch would not fit in memory.
    /// </summary>
    Tensor Logits(Tensor hidden);
}

/// <summary>The embedded student (<see cref="StudentModel"/>) behind <see cref="IScoringStudent"/>.</summary>
public sealed class EmbeddedScoringStudent(StudentModel model) : IScoringStudent
{
    public Device Device => model.Device;

    public int VocabSize => model.Config.VocabSize;

    public int HiddenSize => model.Config.DModel;

    public IReadOnlyList<DecodedSequence> DecodeGreedy(IReadOnlyList<string> questions, int maxNewTokens, bool useKvCache) =>
        GreedyDecoder.Decode(model, [.. questions.Select(q => PromptFormat.PromptIds(model.Tokenizer, q, model.Config.Context))], maxNewTokens, useKvCache);

    public string DecodeText(IReadOnlyList<int> tokens) => model.Tokenizer.Decode([.. tokens]);

    public (int[] Prompt, int[] Target) ReferencePair(TaskItem item) => PromptFormat.Pair(model.Tokenizer, item, model.Config.Context);

    public (int[] Prompt, int[] Target) OwnAnswerPair(string question, DecodedSequence decoded) =>
        PromptFormat.Pair(model.Tokenizer, question, decoded.Tokens, decoded.Terminated, model.Config.Context);

    public Tensor ForwardTeacherForced(TeacherForcedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var net = model.Network;
        var wasTraining = net.training;
        net.eval();
        try
        {
            net.Forward(batch.Inputs, batch.Positions, null, null, 0, out var hidden);
            return hidden;
        }
        finally
        {
            net.train(wasTraining);
        }
    }

    public Tensor Logits(Tensor hidden) => model.Network.Head(hidden);
}
