using ActiveSynth.Student.Tokenization;
using TorchSharp;
using static TorchSharp.torch;

namespace ActiveSynth.Student.Modeling;

/// <summary>A transformer with its tokenizer and the device it lives on. Created on the CPU, then moved to the device.</summary>
public sealed class StudentModel : IDisposable
{
    private StudentModel(StudentTransformer network, CharTokenizer tokenizer, Device device)
    {
        Network = network;
        Tokenizer = tokenizer;
        Device = device;
    }

    public StudentTransformer Network { get; }

    public CharTokenizer Tokenizer { get; }

    public StudentModelConfig Config => Network.Config;

    public Device Device { get; }

    /// <summary>A freshly initialised model (PyTorch default initialisation), deterministic for <paramref name="seed"/>.</summary>
    public static StudentModel Create(StudentModelConfig config, CharTokenizer tokenizer, Device device, long seed)
    {
        ArgumentNullException.ThrowIfNull(config);
        ArgumentNullException.ThrowIfNull(tokenizer);
        if (config.VocabSize != tokenizer.VocabSize)
        {
            config = config with { VocabSize = tokenizer.VocabSize };
        }
        torch.manual_seed(seed);
        var network = new StudentTransformer(config);
        network.to(device);
        return new StudentModel(network, tokenizer, device);
    }

    /// <summary>Wraps an already built network (checkpoint loading).</summary>
    internal static StudentModel Wrap(StudentTransformer network, CharTokenizer tokenizer, Device device) => new(network, tokenizer, device);

    public void Dispose() => Network.Dispose();
}
