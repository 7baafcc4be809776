using TorchSharp;

namespace ActiveSynth.Student;

/// <summary>Loads libtorch once and turns the device option into a device, failing with a clear message when it cannot.</summary>
public static class TorchRuntime
{
    public static torch.Device ResolveDevice(StudentDeviceOptions options)
    {
        if (options.Threads > 0)
        {
            torch.set_num_threads(options.Threads);
        }
        if (options.Device.StartsWith("cuda", StringComparison.Ordinal) && !torch.cuda.is_available())
        {
            throw new InvalidOperationException(
                $"Student:Device is '{options.Device}' but CUDA is not available: build with -p:StudentTorchBackend=cuda on a machine with an NVIDIA GPU, or set Student:Device=cpu.");
        }
        return torch.device(options.Device);
    }

    /// <summary>Runs a tiny computation on the device: proves the native library loads and works there.</summary>
    public static float SelfTest(torch.Device device)
    {
        using var scope = torch.NewDisposeScope();
        var a = torch.ones(2, 2, device: device);
        return (a.matmul(a)).sum().cpu().item<float>();
    }
}
