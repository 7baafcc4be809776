using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace ActiveSynth.Student;

/// <summary>
/// Sets <c>OMP_WAIT_POLICY=PASSIVE</c> for libtorch's OpenMP threads before libtorch is loaded, unless the process was
/// started with <c>OMP_WAIT_POLICY</c> or <c>GOMP_SPINCOUNT</c> set. Why: by default an OpenMP worker keeps spinning on
/// its core for milliseconds after each parallel operator, and the decode kernel (<see cref="HuggingFace.SmallBatchLinear"/>)
/// runs on .NET threads: on a two-core machine the spinning worker halved its speed (benchmarks/README.md, "decode steps").
/// libgomp reads the variable once, when it is loaded, from the native environment; .NET's
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> does not reach that on Linux, so libc's setenv does.
/// </summary>
internal static partial class OpenMpWaitPolicy
{
    public const string Variable = "OMP_WAIT_POLICY";

    /// <summary>What this process's OpenMP threads were told: the inherited value, or PASSIVE when this set it.</summary>
    public static string? Effective { get; private set; }

#pragma warning disable CA2255 // a library's module initializer on purpose: it must run before libtorch loads, whichever caller loads it
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void PreferPassiveWorkers()
    {
        Effective = Environment.GetEnvironmentVariable(Variable);
        if (!OperatingSystem.IsLinux() || Effective is not null || Environment.GetEnvironmentVariable("GOMP_SPINCOUNT") is not null)
        {
            return;
        }
        if (SetEnvironment(Variable, "PASSIVE", 0) == 0)
        {
            Effective = "PASSIVE";
        }
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnvironment(string name, string value, int overwrite);
}
