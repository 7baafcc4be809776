using System.Diagnostics;
using System.Security.Cryptography;

namespace ActiveSynth.Security.Tests;

/// <summary>
/// A second network host made by the test: a network namespace joined to this one by a veth pair, the deployment on this side's
/// address and a replica started inside (<see cref="Launcher"/>), so its only way in is the network. Where namespaces cannot be
/// made (no root, no <c>ip</c>), a second loopback address with the same TLS and keys, and <see cref="Description"/> says so.
/// Disposing deletes the namespace and with it the veth pair.
/// </summary>
public sealed class SecondHost : IDisposable
{
    private readonly string? _namespace;

    private SecondHost(string deploymentAddress, IReadOnlyList<string> launcher, string description, string? networkNamespace)
    {
        DeploymentAddress = deploymentAddress;
        Launcher = launcher;
        Description = description;
        _namespace = networkNamespace;
    }

    /// <summary>The deployment's address, as the second host reaches it.</summary>
    public string DeploymentAddress { get; }

    /// <summary>The command prefix that starts a process on the second host (empty on the fallback).</summary>
    public IReadOnlyList<string> Launcher { get; }

    public string Description { get; }

    public bool IsNamespace => _namespace is not null;

    public static SecondHost Create()
    {
        var tag = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var subnet = RandomNumberGenerator.GetInt32(1, 255);
        var (ns, outer, inner) = ($"activesynth-{tag}", $"asv{tag}", $"asp{tag}");
        var (here, there) = ($"10.213.{subnet}.1", $"10.213.{subnet}.2");
        string[][] steps =
        [
            ["netns", "add", ns],
            ["link", "add", outer, "type", "veth", "peer", "name", inner],
            ["link", "set", inner, "netns", ns],
            ["addr", "add", $"{here}/30", "dev", outer],
            ["link", "set", outer, "up"],
            ["netns", "exec", ns, "ip", "addr", "add", $"{there}/30", "dev", inner],
            ["netns", "exec", ns, "ip", "link", "set", inner, "up"],
            ["netns", "exec", ns, "ip", "link", "set", "lo", "up"],
        ];
        foreach (var step in steps)
        {
            if (Ip(step) is { } failure)
            {
                Ip(["netns", "delete", ns]);
                Ip(["link", "delete", outer]);
                return new SecondHost("127.0.0.2", [],
                    $"no network namespace (`ip {string.Join(' ', step)}` failed: {failure}); a second loopback address, 127.0.0.2, with the same TLS and keys", null);
            }
        }
        return new SecondHost(here, ["ip", "netns", "exec", ns],
            $"network namespace {ns}: the replica at {there}, the deployment at {here}, joined by the veth pair {outer}/{inner}", ns);
    }

    public void Dispose()
    {
        if (_namespace is not null)
        {
            Ip(["netns", "delete", _namespace]);
        }
    }

    /// <summary>Runs <c>ip</c>; null when it succeeded, else why not.</summary>
    private static string? Ip(string[] args)
    {
        try
        {
            var start = new ProcessStartInfo("ip") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var arg in args)
            {
                start.ArgumentList.Add(arg);
            }
            using var process = Process.Start(start)!;
            var error = process.StandardError.ReadToEnd();
            process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            return process.ExitCode == 0 ? null : $"exit {process.ExitCode}: {error.Trim()}";
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return ex.Message;
        }
    }
}
