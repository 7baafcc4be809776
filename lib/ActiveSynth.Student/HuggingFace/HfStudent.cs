using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Generation;
using ActiveSynth.Student.Modeling;
using ActiveSynth.Student.Scoring;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.HuggingFace;

/// <summary>
/// A Hugging Face Llama/Qwen2 causal LM loaded from a local directory (<c>config.json</c>, <c>tokenizer.json</c>,
/// <c>model.safetensors</c> or sharded weights with <c>model.safetensors.index.json</c>), with its tokenizer, chat
/// template and stop tokens. Items are prompted as one user turn of the chat template; an answer ends with the
/// template's end-of-turn token. Implements <see cref="IScoringStudent"/>, so <see cref="StudentScorer"/> computes the
/// same signals as for the embedded student.
/// </summary>
public sealed class HfStudent : IScoringStudent, IDisposable
{
    private HfStudent(string? directory, HfCausalLm network, HfTokenizer tokenizer, HfStudentOptions options, Device device)
    {
        Directory = directory;
        Network = network;
        Tokenizer = tokenizer;
        Options = options;
        Device = device;
        Template = options.ChatTemplate is { } name ? ChatTemplate.Named(name) : ChatTemplate.For(network.Config, tokenizer);
        var endOfTurn = tokenizer.TokenId(Template.EndOfTurn);
        EndOfTurnId = endOfTurn ?? network.Config.EosTokenIds.FirstOrDefault(-1);
        if (EndOfTurnId < 0)
        {
            throw new ArgumentException($"The tokenizer has no '{Template.EndOfTurn}' token and config.json no eos_token_id: an answer could not end.");
        }
        StopTokenIds = [.. network.Config.EosTokenIds.Append(EndOfTurnId).Distinct()];
        Context = Math.Min(options.MaxContext, network.Config.MaxPositions);
    }

    /// <summary>The checkpoint directory (null for a model created in memory).</summary>
    public string? Directory { get; }

    public HfCausalLm Network { get; }

    public HfModelConfig Config => Network.Config;

    public HfTokenizer Tokenizer { get; }

    public ChatTemplate Template { get; }

    public HfStudentOptions Options { get; }

    public Device Device { get; }

    /// <summary>The id that ends an answer (the template's end-of-turn token).</summary>
    public int EndOfTurnId { get; }

    /// <summary>Decoding stops at any of these: config.json's eos_token_id(s) and the end-of-turn token.</summary>
    public IReadOnlyList<int> StopTokenIds { get; }

    /// <summary>The LoRA adapter's settings once one is attached (<see cref="LoraAdapter"/>); null = base weights only.</summary>
    public LoraSettings? AttachedLora { get; internal set; }

    /// <summary>Longest prompt + answer in tokens.</summary>
    public int Context { get; }

    public int VocabSize => Config.VocabSize;

    public int HiddenSize => Config.HiddenSize;

    /// <summary>Loads a checkpoint directory on the CPU, then moves it to <paramref name="device"/>. Errors name the file at fault.</summary>
    public static HfStudent Load(string directory, HfStudentOptions? options = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(directory);
        options ??= new HfStudentOptions();
        if (!System.IO.Directory.Exists(directory))
        {
            throw new HfCheckpointException(directory, "is not a directory (expected a Hugging Face checkpoint directory with config.json).");
        }
        var config = HfModelConfig.Load(Path.Combine(directory, "config.json"));
        var tokenizer = HfTokenizer.Load(Path.Combine(directory, "tokenizer.json"));
        var network = new HfCausalLm(config, options.Dtype ?? config.TorchDtype);
        try
        {
            HfWeightLoader.Load(network, directory);
            network.eval();
            device ??= CPU;
            network.to(device);
            return new HfStudent(directory, network, tokenizer, options, device);
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>A randomly initialised model of <paramref name="config"/>'s shape (benchmarks, tests).</summary>
    public static HfStudent CreateRandom(HfModelConfig config, HfTokenizer tokenizer, long seed, HfStudentOptions? options = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(config);
        options ??= new HfStudentOptions();
        var network = new HfCausalLm(config, options.Dtype ?? config.TorchDtype);
        network.InitializeRandom(seed);
        network.eval();
        device ??= CPU;
        network.to(device);
        return new HfStudent(null, network, tokenizer, options, device);
    }

    /// <summary>The prompt ids of a question (the chat template's user turn), keeping the last tokens that fit the context.</summary>
    public int[] PromptIds(string question)
    {
        var ids = Tokenizer.Encode(Template.Prompt(question, Options.SystemPrompt));
        return ids.Length <= Context - 1 ? ids : ids[^(Context - 1)..];
    }

    /// <summary>
    /// Prompt and target ids: the answer's tokens, then <paramref name="terminator"/> (default: the end-of-turn token)
    /// when <paramref name="terminate"/>; cut to the context.
    /// </summary>
    public (int[] Prompt, int[] Target) Pair(string question, IReadOnlyList<int> answerIds, bool terminate, int? terminator = null)
    {
        var prompt = PromptIds(question);
        int[] target = terminate ? [.. answerIds, terminator ?? EndOfTurnId] : [.. answerIds];
        var room = Context - prompt.Length;
        return (prompt, target.Length <= room ? target : target[..room]);
    }

    /// <summary>Prompt and reference answer + end of turn, as the LoRA trainer and the reference NLL see an item.</summary>
    public (int[] Prompt, int[] Target) ReferencePair(TaskItem item)
    {
        ArgumentNullException.ThrowIfNull(item);
        return Pair(item.Question, Tokenizer.Encode(item.Answer), terminate: true);
    }

    public (int[] Prompt, int[] Target) OwnAnswerPair(string question, DecodedSequence decoded)
    {
        ArgumentNullException.ThrowIfNull(decoded);
        // The stop token the model actually produced (an eos id or the end of turn), so its NLL is the decoder's.
        return Pair(question, decoded.Tokens, decoded.Terminated, decoded.TerminatorId);
    }

    public IReadOnlyList<DecodedSequence> DecodeGreedy(IReadOnlyList<string> questions, int maxNewTokens, bool useKvCache) =>
        HfGreedyDecoder.Decode(this, [.. questions.Select(PromptIds)], maxNewTokens, useKvCache);

    public string DecodeText(IReadOnlyList<int> tokens) => Tokenizer.Decode(tokens);

    /// <summary>Greedy answer text to one question (convenience for tools and tests).</summary>
    public string Answer(string question, int maxNewTokens) => DecodeText(DecodeGreedy([question], maxNewTokens, useKvCache: true)[0].Tokens);

    public Tensor ForwardTeacherForced(TeacherForcedBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var wasTraining = Network.training;
        Network.eval();
        try
        {
            return Network.ForwardHidden(batch.Inputs, batch.Positions, null, null);
        }
        finally
        {
            Network.train(wasTraining);
        }
    }

    public Tensor Logits(Tensor hidden) => Network.Logits(hidden);

    public void Dispose() => Network.Dispose();
}
