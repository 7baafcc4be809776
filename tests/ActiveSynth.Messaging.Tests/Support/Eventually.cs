using System.Diagnostics;

namespace ActiveSynth.Messaging.Tests.Support;

/// <summary>Polls a condition with a deadline, so a broken consumer fails a test instead of hanging it.</summary>
public static class Eventually
{
    public static async Task WaitAsync(Func<Task<bool>> condition, TimeSpan timeout, Func<string> because)
    {
        var clock = Stopwatch.StartNew();
        while (!await condition())
        {
            if (clock.Elapsed > timeout)
            {
                Assert.Fail($"Timed out after {timeout.TotalSeconds:0} s: {because()}");
            }
            await Task.Delay(25);
        }
    }

    public static Task WaitAsync(Func<bool> condition, TimeSpan timeout, Func<string> because) =>
        WaitAsync(() => Task.FromResult(condition()), timeout, because);
}
