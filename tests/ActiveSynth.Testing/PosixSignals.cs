using System.Diagnostics;
using System.Globalization;
using Xunit;

namespace ActiveSynth.Testing;

/// <summary>Signals to processes the tests started or found (SIGTERM as a process manager stops a replica, SIGINT as Ctrl+C).</summary>
public static class PosixSignals
{
    /// <summary>Sends <paramref name="signal"/> ("TERM", "INT", ...) to <paramref name="pid"/>; fails the test when kill fails.</summary>
    public static async Task SendAsync(int pid, string signal)
    {
        using var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { $"-{signal}", pid.ToString(CultureInfo.InvariantCulture) } })!;
        await kill.WaitForExitAsync();
        Assert.True(kill.ExitCode == 0, $"kill -{signal} {pid} failed with {kill.ExitCode}");
    }

    /// <summary>True when <paramref name="process"/> exited within <paramref name="timeout"/>.</summary>
    public static async Task<bool> ExitedWithinAsync(Process process, TimeSpan timeout)
    {
        ArgumentNullException.ThrowIfNull(process);
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM to a process this test did not start, then true when it is gone within <paramref name="timeout"/>.</summary>
    public static async Task<bool> TerminateAsync(int pid, TimeSpan timeout)
    {
        await SendAsync(pid, "TERM");
        var clock = Stopwatch.StartNew();
        while (ProcessTree.IsAlive(pid) && clock.Elapsed < timeout)
        {
            await Task.Delay(50);
        }
        return !ProcessTree.IsAlive(pid);
    }
}
