using TorchSharp;

namespace ActiveSynth.Student.Tests.HuggingFace;

/// <summary>
/// A test that needs an NVIDIA GPU and the CUDA libtorch build (<c>dotnet test -p:StudentTorchBackend=cuda</c>): skipped,
/// with that reason in the test report, where CUDA is not available (every CI machine of this project so far).
/// </summary>
public sealed class CudaFactAttribute : FactAttribute
{
    public const string Reason = "CUDA is not available: needs an NVIDIA GPU and a build with -p:StudentTorchBackend=cuda (the CPU libtorch has no CUDA)";

    public CudaFactAttribute()
    {
        if (!torch.cuda.is_available())
        {
            Skip = Reason;
        }
    }
}
