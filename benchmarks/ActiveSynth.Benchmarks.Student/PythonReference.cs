using System.Diagnostics;
using System.Text.Json.Nodes;

namespace ActiveSynth.Benchmarks.Student;

/// <summary>Runs a PyTorch reference script on Debian's python3-torch and reads the one JSON line it prints; null when it cannot run.</summary>
public static class PythonReference
{
    public static JsonObject? Run(string script, string exchange)
    {
        try
        {
            // Debian's interpreter first: python3-torch is installed for it (a pyenv python3 earlier on PATH would not see it).
            var python = File.Exists("/usr/bin/python3") ? "/usr/bin/python3" : "python3";
            using var process = Process.Start(new ProcessStartInfo(python, [script, exchange]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var stdout = process.StandardOutput.ReadToEnd();
            var stderr = process.StandardError.ReadToEnd();
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                Console.WriteLine($"PyTorch reference skipped: {stderr.Trim().Split('\n').LastOrDefault()}");
                return null;
            }
            return JsonNode.Parse(stdout.Trim().Split('\n').Last())!.AsObject();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}
