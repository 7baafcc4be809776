using System.Diagnostics;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using ActiveSynth.AppHost.Redis;

namespace ActiveSynth.Testing;

/// <summary>
/// A real redis-server for tests and benchmarks: loopback only, a free port, a random password, AOF on
/// (appendfsync everysec) in a fresh temporary directory. It can be killed (SIGKILL: up to a second of writes
/// lost, as in a crash), shut down cleanly (SHUTDOWN: AOF flushed) and restarted on the same port and data,
/// which is how tests exercise reconnects. Disposing stops it and deletes the data.
/// </summary>
public sealed class RedisServerProcess : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(20);

    private Process? _process;

    private RedisServerProcess(string executable, string dataDirectory, int port, string password, IPAddress bind, TestCertificates? tls)
    {
        Executable = executable;
        DataDirectory = dataDirectory;
        Port = port;
        Password = password;
        Bind = bind;
        Tls = tls;
    }

    /// <summary>The address it listens on (loopback unless started with another).</summary>
    public IPAddress Bind { get; }

    /// <summary>With certificates, it speaks TLS only (no plain port): what an external Redis past loopback should do.</summary>
    public TestCertificates? Tls { get; }

    /// <summary>Full path of the redis-server that runs.</summary>
    public string Executable { get; }

    /// <summary>Where the AOF and the log live.</summary>
    public string DataDirectory { get; }

    /// <summary>Its port (the TLS port when <see cref="Tls"/> is set).</summary>
    public int Port { get; }

    /// <summary>requirepass value.</summary>
    public string Password { get; }

    /// <summary>StackExchange.Redis connection string (what Aspire puts in ConnectionStrings:redis).</summary>
    public string ConnectionString => $"{Bind}:{Port},password={Password}" + (Tls is null ? "" : ",ssl=true");

    /// <summary>True while the process runs.</summary>
    public bool IsRunning => _process is { HasExited: false };

    /// <summary>Starts a server. <paramref name="executable"/> overrides the search (PATH, then the build's tools folder).</summary>
    public static Task<RedisServerProcess> StartAsync(string? executable = null, CancellationToken ct = default) =>
        StartAsync(executable, IPAddress.Loopback, tls: null, ct);

    /// <summary>
    /// Starts a server on <paramref name="bind"/> that speaks only TLS with <paramref name="tls"/>'s server certificate (clients are
    /// not asked for one: they authenticate with the password, as the services do).
    /// </summary>
    public static Task<RedisServerProcess> StartTlsAsync(TestCertificates tls, IPAddress bind, CancellationToken ct = default) =>
        StartAsync(null, bind, tls, ct);

    private static async Task<RedisServerProcess> StartAsync(string? executable, IPAddress bind, TestCertificates? tls, CancellationToken ct)
    {
        var found = RedisServerLocator.Find(executable, typeof(RedisServerProcess).Assembly, out var searched)
            ?? throw new InvalidOperationException($"redis-server not found (searched: {string.Join(", ", searched)}). Build with -p:FetchRedisServer=true or install redis-server.");
        var dataDirectory = Directory.CreateTempSubdirectory("activesynth-redis-").FullName;
        var password = Convert.ToHexString(RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

        // A free port can be taken by someone else between probing and binding: try a few.
        for (var attempt = 1; ; attempt++)
        {
            var server = new RedisServerProcess(found, dataDirectory, FreePort(bind), password, bind, tls);
            try
            {
                await server.RestartAsync(ct).ConfigureAwait(false);
                return server;
            }
            catch (InvalidOperationException) when (attempt < 3)
            {
                await server.StopProcessAsync(kill: true).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Starts the server again on the same port and data directory (it replays its AOF).</summary>
    public async Task RestartAsync(CancellationToken ct = default)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("redis-server is already running.");
        }
        var info = new ProcessStartInfo(Executable)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = DataDirectory,
        };
        var port = Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        string[] listen = Tls is null
            ? ["--port", port]
            : ["--port", "0", "--tls-port", port, "--tls-cert-file", Tls.CertificatePath, "--tls-key-file", Tls.KeyPath,
               "--tls-ca-cert-file", Tls.CaPath, "--tls-auth-clients", "no"];
        string[] args =
        [
            "--bind", Bind.ToString(), .. listen,
            "--requirepass", Password, "--dir", DataDirectory, "--logfile", "redis.log",
            "--appendonly", "yes", "--appendfsync", "everysec", "--save", "",
            "--daemonize", "no", "--protected-mode", "yes",
        ];
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        _process = Process.Start(info) ?? throw new InvalidOperationException("redis-server did not start.");
        // Drain the pipes so a chatty server never blocks on a full pipe.
        _process.OutputDataReceived += (_, _) => { };
        _process.ErrorDataReceived += (_, _) => { };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        await WaitUntilReadyAsync(ct).ConfigureAwait(false);
    }

    /// <summary>Kills the server (SIGKILL), as a crash would: writes of the last second may be lost.</summary>
    public Task KillAsync() => StopProcessAsync(kill: true);

    /// <summary>Stops the server cleanly (SHUTDOWN): the AOF is flushed, nothing acknowledged is lost.</summary>
    public async Task ShutdownAsync(CancellationToken ct = default)
    {
        if (!IsRunning)
        {
            return;
        }
        try
        {
            // SHUTDOWN closes the connection instead of replying; any outcome but "ran" is checked below.
            await SendAsync("SHUTDOWN\r\n", expectReply: false, ct).ConfigureAwait(false);
        }
        catch (IOException)
        {
        }
        catch (SocketException)
        {
        }
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await _process!.WaitForExitAsync(timeout.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            await StopProcessAsync(kill: true).ConfigureAwait(false);
        }
    }

    /// <summary>Last lines of the server's log, for assertion messages.</summary>
    public string LogTail(int lines = 20)
    {
        var path = Path.Combine(DataDirectory, "redis.log");
        if (!File.Exists(path))
        {
            return "(no log)";
        }
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var all = reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return string.Join('\n', all.TakeLast(lines));
    }

    public async ValueTask DisposeAsync()
    {
        await StopProcessAsync(kill: true).ConfigureAwait(false);
        try
        {
            Directory.Delete(DataDirectory, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: it is a temp directory.
        }
    }

    private async Task StopProcessAsync(bool kill)
    {
        var process = _process;
        if (process is null)
        {
            return;
        }
        if (kill && !process.HasExited)
        {
            process.Kill();
        }
        await process.WaitForExitAsync().ConfigureAwait(false);
        process.Dispose();
        _process = null;
    }

    private async Task WaitUntilReadyAsync(CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (_process!.HasExited)
            {
                throw new InvalidOperationException($"redis-server exited with {_process.ExitCode} on port {Port}:\n{LogTail()}");
            }
            try
            {
                // PING answers -LOADING while the AOF replays: ready means +PONG.
                if ((await SendAsync("PING\r\n", expectReply: true, ct).ConfigureAwait(false)).StartsWith("+PONG", StringComparison.Ordinal))
                {
                    return;
                }
            }
            catch (Exception ex) when (ex is SocketException or IOException)
            {
                // Not listening yet.
            }
            if (deadline.Elapsed > StartTimeout)
            {
                throw new InvalidOperationException($"redis-server on port {Port} not ready after {StartTimeout}:\n{LogTail()}");
            }
            await Task.Delay(50, ct).ConfigureAwait(false);
        }
    }

    /// <summary>Sends AUTH then one inline command; returns the command's reply line.</summary>
    private async Task<string> SendAsync(string command, bool expectReply, CancellationToken ct)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(Bind, Port, ct).ConfigureAwait(false);
        Stream stream = client.GetStream();
        if (Tls is not null)
        {
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false,
                Contracts.Security.DeploymentCredential.TrustingOnly(Contracts.Security.DeploymentCredential.LoadCa(Tls.CaPath)));
            await ssl.AuthenticateAsClientAsync(new SslClientAuthenticationOptions { TargetHost = Bind.ToString() }, ct).ConfigureAwait(false);
            stream = ssl;
        }
        var request = Encoding.ASCII.GetBytes($"AUTH {Password}\r\n{command}");
        await stream.WriteAsync(request, ct).ConfigureAwait(false);
        using var reader = new StreamReader(stream, Encoding.ASCII);
        var auth = await reader.ReadLineAsync(ct).ConfigureAwait(false);
        if (auth != "+OK")
        {
            throw new IOException($"AUTH failed: {auth}");
        }
        return expectReply ? await reader.ReadLineAsync(ct).ConfigureAwait(false) ?? "" : "";
    }

    private static int FreePort(IPAddress bind)
    {
        using var listener = new TcpListener(bind, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
