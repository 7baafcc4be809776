using System.Runtime.InteropServices;

namespace ActiveSynth.AppHost;

/// <summary>
/// Ctrl+C must stop the AppHost and everything it started. A process started with SIGINT ignored (under nohup, or as a
/// background job of a non-interactive shell) inherits that, and .NET then never reports the signal: the AppHost, redis-server
/// and the services would keep running. Restoring the default disposition before .NET sets up its signal handling lets the
/// host's console lifetime see Ctrl+C again.
/// </summary>
internal static partial class InterruptSignal
{
    private const int SigInt = 2;

    public static void Restore()
    {
        if (OperatingSystem.IsLinux() || OperatingSystem.IsMacOS())
        {
            _ = Signal(SigInt, 0); // SIG_DFL
        }
    }

    [LibraryImport("libc", EntryPoint = "signal")]
    private static partial nint Signal(int signal, nint handler);
}
