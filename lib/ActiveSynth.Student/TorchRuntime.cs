using TorchSharp;

namespace ActiveSynth.Student;

/// <summary>Loads libtorch once and turns the device option into a device, failing with a clear message when it cannot.</summary>
public static class TorchRuntime
{
    /// <summary>
    /// The OpenMP wait policy libtorch's threads got: the inherited <c>OMP_WAIT_POLICY</c>, or PASSIVE, which this library
    /// sets before libtorch loads when the process chose none (null: libgomp's spinning default). Reading it first in a
    /// process that calls TorchSharp directly makes sure the library's setting comes before libtorch loads.
    /// </summary>
    public static string? OpenMpWaitPolicy => Student.OpenMpWaitPolicy.Effective;

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
