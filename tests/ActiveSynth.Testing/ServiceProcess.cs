using System.Diagnostics;
using System.Text;

namespace ActiveSynth.Testing;

/// <summary>
/// One of our services started by hand, outside any AppHost, as an external replica is: `dotnet &lt;service&gt;.dll` from its build
/// output (the configuration the tests were built in), with only the environment given. Output is kept for failure messages.
/// Disposing kills what is still running.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ServiceProcess(Process process)
    {
        _process = process;
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    /// <summary>
    /// Starts <c>services/&lt;project&gt;</c> (e.g. "ActiveSynth.Teacher") with <paramref name="environment"/> on top of this process's;
    /// through <paramref name="launcher"/> when given (e.g. <c>ip netns exec &lt;namespace&gt;</c>: on another network host).
    /// </summary>
    public static ServiceProcess Start(string project, IReadOnlyDictionary<string, string> environment, IReadOnlyList<string>? launcher = null)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var dll = Dll(project);
        launcher ??= [];
        var start = new ProcessStartInfo(launcher.Count > 0 ? launcher[0] : "dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
        };
        foreach (var arg in launcher.Skip(1).Concat(launcher.Count > 0 ? ["dotnet"] : []))
        {
            start.ArgumentList.Add(arg);
        }
        start.ArgumentList.Add(dll);
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }
        return new ServiceProcess(Process.Start(start) ?? throw new InvalidOperationException($"dotnet {dll} did not start"));
    }

    /// <summary>The service's built assembly, in the configuration and framework of the running tests.</summary>
    public static string Dll(string project)
    {
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var framework = output.Name;
        var configuration = output.Parent?.Name ?? "Debug";
        var dll = RepositoryFiles.Path("services", project, "bin", configuration, framework, $"{project}.dll");
        return File.Exists(dll) ? dll : throw new FileNotFoundException($"{dll} is not built (build the solution first)", dll);
    }

    /// <summary>Sends SIGTERM, as a process manager stopping a replica does, and waits for the exit.</summary>
    public async Task<bool> TerminateAsync(TimeSpan timeout)
    {
        await PosixSignals.SendAsync(_process.Id, "TERM");
        return await PosixSignals.ExitedWithinAsync(_process, timeout);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            _process.WaitForExit(10_000);
        }
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }
        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
