using System.Net.Sockets;
using System.Text;

namespace ActiveSynth.AppHost.Redis;

/// <summary>AUTH + PING over a raw socket: a health probe that needs no client library and no pooled connection.</summary>
internal static class RedisPing
{
    public static async Task<string?> TryAsync(string host, int port, string? password, TimeSpan timeout, CancellationToken ct)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
        deadline.CancelAfter(timeout);
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync(host, port, deadline.Token);
            var stream = client.GetStream();
            var command = new StringBuilder();
            if (!string.IsNullOrEmpty(password))
            {
                command.Append(Resp("AUTH", password));
            }
            command.Append(Resp("PING"));
            await stream.WriteAsync(Encoding.UTF8.GetBytes(command.ToString()), deadline.Token);

            var expected = string.IsNullOrEmpty(password) ? "+PONG\r\n" : "+OK\r\n+PONG\r\n";
            var received = new StringBuilder();
            var buffer = new byte[256];
            while (received.Length < expected.Length)
            {
                var n = await stream.ReadAsync(buffer, deadline.Token);
                if (n == 0)
                {
                    break;
                }
                received.Append(Encoding.ASCII.GetString(buffer, 0, n));
                if (received[0] == '-')
                {
                    break; // an error reply, e.g. WRONGPASS
                }
            }
            var reply = received.ToString();
            return reply.StartsWith(expected, StringComparison.Ordinal) ? null : $"unexpected reply '{reply.Split('\r')[0]}'";
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            return ct.IsCancellationRequested ? "cancelled" : ex is OperationCanceledException ? $"no answer within {timeout.TotalSeconds:0} s" : ex.Message;
        }
    }

    private static string Resp(params string[] parts)
    {
        var sb = new StringBuilder($"*{parts.Length}\r\n");
        foreach (var part in parts)
        {
            sb.Append($"${Encoding.UTF8.GetByteCount(part)}\r\n{part}\r\n");
        }
        return sb.ToString();
    }
}
