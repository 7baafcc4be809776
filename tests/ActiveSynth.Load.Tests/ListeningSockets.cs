using System.Globalization;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

using ActiveSynth.Testing;

namespace ActiveSynth.Load.Tests;

/// <summary>Linux /proc: the TCP sockets each process of a deployment (<see cref="ProcessTree.Marked"/>) listens on, with the address bound.</summary>
public static class ListeningSockets
{
    public sealed record Listener(int Pid, string Process, IPAddress Address, int Port);

    /// <summary>Every TCP socket in LISTEN state owned by one of <paramref name="processes"/>.</summary>
    public static IReadOnlyList<Listener> Of(IReadOnlyDictionary<int, string> processes)
    {
        ArgumentNullException.ThrowIfNull(processes);
        var owners = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var pid in processes.Keys)
        {
            foreach (var inode in SocketInodes(pid))
            {
                owners[inode] = pid;
            }
        }
        var listeners = new List<Listener>();
        foreach (var table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            foreach (var line in ReadLines(table).Skip(1))
            {
                var fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (fields.Length < 10 || fields[3] != "0A" || !owners.TryGetValue(fields[9], out var owner))
                {
                    continue; // 0A = LISTEN
                }
                var (address, port) = ParseEndpoint(fields[1]);
                listeners.Add(new Listener(owner, processes[owner], address, port));
            }
        }
        return listeners;
    }

    /// <summary>The machine's IPv4 addresses other than loopback, on interfaces that are up.</summary>
    public static IReadOnlyList<IPAddress> NonLoopbackIPv4() =>
    [
        .. NetworkInterface.GetAllNetworkInterfaces()
            .Where(n => n.OperationalStatus == OperationalStatus.Up && n.NetworkInterfaceType != NetworkInterfaceType.Loopback)
            .SelectMany(n => n.GetIPProperties().UnicastAddresses)
            .Select(a => a.Address)
            .Where(a => a.AddressFamily == AddressFamily.InterNetwork && !IPAddress.IsLoopback(a)),
    ];

    /// <summary>True when a TCP connection to <paramref name="address"/>:<paramref name="port"/> is accepted.</summary>
    public static async Task<bool> AcceptsAsync(IPAddress address, int port)
    {
        using var tcp = new TcpClient(address.AddressFamily);
        try
        {
            await tcp.ConnectAsync(address, port).WaitAsync(TimeSpan.FromSeconds(5));
            return true;
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            return false;
        }
    }

    private static (IPAddress Address, int Port) ParseEndpoint(string field)
    {
        var parts = field.Split(':');
        var port = int.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var hex = parts[0];
        var bytes = new byte[hex.Length / 2];
        // /proc/net/tcp{,6} prints each 32-bit word of the address in host (little-endian) byte order.
        for (var word = 0; word < bytes.Length / 4; word++)
        {
            for (var b = 0; b < 4; b++)
            {
                bytes[(word * 4) + b] = byte.Parse(hex.AsSpan((word * 8) + ((3 - b) * 2), 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            }
        }
        return (new IPAddress(bytes), port);
    }

    private static IEnumerable<string> SocketInodes(int pid)
    {
        IEnumerable<string> fds;
        try
        {
            fds = Directory.EnumerateFileSystemEntries($"/proc/{pid}/fd").ToList();
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            yield break;
        }
        foreach (var fd in fds)
        {
            string? target;
            try
            {
                target = new FileInfo(fd).LinkTarget;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                continue;
            }
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                yield return target["socket:[".Length..^1];
            }
        }
    }

    private static string[] ReadLines(string path)
    {
        try
        {
            return File.ReadAllLines(path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }
}
