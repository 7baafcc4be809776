using System.Net.Sockets;
using System.Text;

namespace ActiveSynth.Load.Tests;

/// <summary>
/// The least of the Redis protocol (RESP) over a plain TCP socket: send a command, read one reply as text. Enough to see what
/// the server answers a client without a password, and to read CONFIG GET, without a client library in the way.
/// </summary>
public sealed class RespClient : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly StreamReader _reader;

    private RespClient(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
        _reader = new StreamReader(_stream, Encoding.UTF8);
    }

    public static async Task<RespClient> ConnectAsync(string host, int port)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(host, port).WaitAsync(TimeSpan.FromSeconds(10));
        return new RespClient(tcp);
    }

    /// <summary>Sends a command; returns the reply flattened to text (errors start with '-', arrays are joined with '\n').</summary>
    public async Task<string> SendAsync(params string[] args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var command = new StringBuilder($"*{args.Length}\r\n");
        foreach (var arg in args)
        {
            command.Append('$').Append(Encoding.UTF8.GetByteCount(arg)).Append("\r\n").Append(arg).Append("\r\n");
        }
        await _stream.WriteAsync(Encoding.UTF8.GetBytes(command.ToString()));
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        return await ReadReplyAsync(cts.Token);
    }

    private async Task<string> ReadReplyAsync(CancellationToken ct)
    {
        var line = await _reader.ReadLineAsync(ct) ?? throw new IOException("Redis closed the connection.");
        switch (line[0])
        {
            case '*':
                var count = int.Parse(line[1..], System.Globalization.CultureInfo.InvariantCulture);
                var items = new List<string>();
                for (var i = 0; i < count; i++)
                {
                    items.Add(await ReadReplyAsync(ct));
                }
                return string.Join('\n', items);
            case '$':
                var length = int.Parse(line[1..], System.Globalization.CultureInfo.InvariantCulture);
                return length < 0 ? "" : await _reader.ReadLineAsync(ct) ?? "";
            default:
                return line;
        }
    }

    public ValueTask DisposeAsync()
    {
        _reader.Dispose();
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }
}
