using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Student;

/// <summary>Healthy once libtorch loads and computes on the configured device (catches a broken native install at start).</summary>
public sealed class TorchHealthCheck(IOptions<StudentDeviceOptions> options) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var device = TorchRuntime.ResolveDevice(options.Value);
            var sum = TorchRuntime.SelfTest(device);
            return Task.FromResult(sum == 8f
                ? HealthCheckResult.Healthy($"libtorch {TorchSharp.torch.__version__} on {device}")
                : HealthCheckResult.Unhealthy($"libtorch self-test on {device} gave {sum}, expected 8"));
        }
        catch (Exception ex) when (ex is InvalidOperationException or DllNotFoundException or TypeInitializationException or NotSupportedException)
        {
            return Task.FromResult(HealthCheckResult.Unhealthy($"libtorch is not usable: {ex.Message}"));
        }
    }
}
