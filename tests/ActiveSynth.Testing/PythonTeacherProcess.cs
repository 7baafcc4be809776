using System.Collections.Concurrent;
using System.Diagnostics;
using Xunit;

namespace ActiveSynth.Testing;

/// <summary>
/// services/python-teacher/worker.py as a real process: python3 with the packages and descriptor set the build prepared
/// (build/PythonTeacher.targets, imported by each test project that starts it), configured by environment variables exactly as the
/// AppHost configures a Teacher. Its output is kept for assertions and failure messages. SIGTERM through /bin/kill, since
/// Process.Kill is SIGKILL.
/// </summary>
public sealed class PythonTeacherProcess : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private int _disposed;

    private PythonTeacherProcess(Process process)
    {
        _process = process;
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the worker wrote to stdout and stderr so far.</summary>
    public string Output => string.Join('\n', _output);

    /// <summary>The folder the build prepares (site packages and activesynth.pb): <c>$(ActiveSynthToolsDir)python-teacher</c>.</summary>
    public static string ToolsDirectory => RepositoryFiles.Path(".tools", "python-teacher");

    /// <summary>python3 on PATH, or ACTIVESYNTH_PYTHON. A missing interpreter fails the test with what to do, never skips it.</summary>
    public static string Python()
    {
        var configured = Environment.GetEnvironmentVariable("ACTIVESYNTH_PYTHON");
        if (!string.IsNullOrEmpty(configured))
        {
            return File.Exists(configured) ? configured : throw new InvalidOperationException($"ACTIVESYNTH_PYTHON={configured} does not exist.");
        }
        foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, "python3");
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        throw new InvalidOperationException("python3 was not found on PATH (or set ACTIVESYNTH_PYTHON): the Python teacher worker needs Python 3.9+. "
            + "On Debian/Ubuntu: sudo apt-get install -y python3.");
    }

    /// <summary>Starts the worker and waits until it consumes. <paramref name="environment"/> adds or overrides variables (null removes one).</summary>
    public static async Task<PythonTeacherProcess> StartAsync(string redisConnectionString, string? teacherConnectionString,
        IReadOnlyDictionary<string, string?>? environment = null)
    {
        var tools = ToolsDirectory;
        var descriptors = Path.Combine(tools, "activesynth.pb");
        var site = Path.Combine(tools, "site");
        if (!File.Exists(descriptors) || !Directory.Exists(site))
        {
            throw new InvalidOperationException($"The Python teacher's packages or descriptor set are missing under {tools}: the build runs "
                + "services/python-teacher/prepare.sh (needs apt-get, dpkg-deb and the Debian mirror, or python3-redis and python3-protobuf installed); "
                + "see the build output for ACTIVESYNTH002.");
        }
        var info = new ProcessStartInfo(Python())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryFiles.Path("services", "python-teacher"),
        };
        info.ArgumentList.Add("-u");
        info.ArgumentList.Add(RepositoryFiles.Path("services", "python-teacher", "worker.py"));
        info.Environment["PYTHONPATH"] = site;
        info.Environment["PythonTeacher__Descriptors"] = descriptors;
        info.Environment["ConnectionStrings__redis"] = redisConnectionString;
        info.Environment.Remove("ConnectionStrings__teacher");
        if (teacherConnectionString is not null)
        {
            info.Environment["ConnectionStrings__teacher"] = teacherConnectionString;
        }
        // Fast test timings; a test overrides what it exercises.
        info.Environment["Messaging__Consumers__teacher__PollInterval"] = "00:00:00.050";
        info.Environment["Messaging__Consumers__teacher__ClaimIdleTime"] = "00:00:02";
        info.Environment["Teacher__Retry__BaseDelay"] = "00:00:00.050";
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(key);
            }
            else
            {
                info.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var worker = new PythonTeacherProcess(process);
        process.OutputDataReceived += (_, e) => worker.Add(e.Data);
        process.ErrorDataReceived += (_, e) => worker.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await worker.WaitForOutputAsync("consuming activesynth:generate:requests", ReadyTimeout);
        return worker;
    }

    /// <summary>Waits until the output contains <paramref name="text"/>; fails with the output when the worker exits or time runs out.</summary>
    public async Task WaitForOutputAsync(string text, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!Output.Contains(text, StringComparison.Ordinal))
        {
            if (_process.HasExited)
            {
                await _process.WaitForExitAsync();
                throw new InvalidOperationException($"the Python teacher exited with code {_process.ExitCode} before '{text}':\n{Output}");
            }
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"the Python teacher did not write '{text}' within {timeout.TotalSeconds:0} s:\n{Output}");
            }
            await Task.Delay(20);
        }
    }

    /// <summary>SIGTERM, as a container runtime or the AppHost stops a process.</summary>
    public Task TerminateAsync() => PosixSignals.SendAsync(Pid, "TERM");

    /// <summary>True when the worker exited within <paramref name="timeout"/>.</summary>
    public Task<bool> WaitForExitAsync(TimeSpan timeout) => PosixSignals.ExitedWithinAsync(_process, timeout);

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    private void Add(string? line)
    {
        if (line is not null)
        {
            _output.Enqueue(line);
        }
    }
}
