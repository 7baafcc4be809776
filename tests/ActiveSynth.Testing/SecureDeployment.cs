using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using ActiveSynth.Contracts.Security;
using ActiveSynth.Contracts.V1;
using Grpc.Core;
using Grpc.Net.Client;

namespace ActiveSynth.Testing;

/// <summary>
/// A deployment as an operator puts it on a shared network: a TLS-only redis-server and the Selection service (a real process)
/// on <see cref="Address"/>, HTTPS with a certificate from the deployment's own CA, one key per role. Workers join with
/// <see cref="WorkerEnvironment"/>. Disposing stops everything and deletes its folders.
/// </summary>
public sealed class SecureDeployment : IAsyncDisposable
{
    private readonly List<ServiceProcess> _processes = [];

    private SecureDeployment(TestCertificates certificates, RedisServerProcess redis, string address)
    {
        Certificates = certificates;
        Redis = redis;
        Address = address;
    }

    public static string NewKey() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));

    public string OperatorKey { get; } = NewKey();

    public string WorkerKey { get; } = NewKey();

    public string ServiceKey { get; } = NewKey();

    public TestCertificates Certificates { get; }

    public RedisServerProcess Redis { get; }

    /// <summary>The address Selection and Redis listen on.</summary>
    public string Address { get; }

    /// <summary>Selection's https:// address.</summary>
    public string SelectionUrl { get; private set; } = "";

    public string ArtifactsRoot { get; } = Directory.CreateTempSubdirectory("activesynth-secure-artifacts-").FullName;

    public ServiceProcess Selection { get; private set; } = null!;

    public static async Task<SecureDeployment> StartAsync(string address, CancellationToken ct)
    {
        var certificates = TestCertificates.Create(address, "localhost", "127.0.0.1");
        var redis = await RedisServerProcess.StartTlsAsync(certificates, IPAddress.Parse(address), ct);
        var deployment = new SecureDeployment(certificates, redis, address);
        try
        {
            await deployment.StartSelectionAsync(ct);
            return deployment;
        }
        catch
        {
            await deployment.DisposeAsync();
            throw;
        }
    }

    /// <summary>What every process of the deployment (and every worker joining it) needs: Redis over TLS and the CA to trust.</summary>
    public Dictionary<string, string> CommonEnvironment() => new()
    {
        ["ConnectionStrings__redis"] = Redis.ConnectionString,
        ["Security__TrustedCaPath"] = Certificates.CaPath,
        ["DOTNET_ENVIRONMENT"] = "Production",
        ["ASPNETCORE_URLS"] = "http://127.0.0.1:0",
        ["Training__BaseSteps"] = "150",
    };

    /// <summary>A worker replica on its own machine: its own artifact folder kept in step over the artifact service, presenting <paramref name="key"/>.</summary>
    public Dictionary<string, string> WorkerEnvironment(string artifactsRoot, string? key)
    {
        var environment = CommonEnvironment();
        environment["Artifacts__Root"] = artifactsRoot;
        environment["Artifacts__Remote"] = SelectionUrl;
        environment["Security__ClientKey"] = key ?? "";
        return environment;
    }

    /// <summary>A worker replica beside the deployment, sharing its artifact folder.</summary>
    public ServiceProcess StartLocalWorker(string project)
    {
        var environment = CommonEnvironment();
        environment["Artifacts__Root"] = ArtifactsRoot;
        var process = ServiceProcess.Start(project, environment);
        _processes.Add(process);
        return process;
    }

    /// <summary>A channel to Selection presenting <paramref name="key"/> (none: anonymous), trusting the deployment's CA.</summary>
    public GrpcChannel Channel(string? key) => new DeploymentCredential(key, Certificates.CaPath).Open(SelectionUrl);

    /// <summary>Every file under the artifact root, relative: compared before and after a refused call, it must not change.</summary>
    public string Files() => string.Join("\n", Directory.EnumerateFileSystemEntries(ArtifactsRoot, "*", SearchOption.AllDirectories)
        .Select(f => Path.GetRelativePath(ArtifactsRoot, f)).Order(StringComparer.Ordinal));

    private async Task StartSelectionAsync(CancellationToken ct)
    {
        SelectionUrl = $"https://{(Address.Contains(':', StringComparison.Ordinal) ? $"[{Address}]" : Address)}:{FreePort(IPAddress.Parse(Address))}";
        var environment = CommonEnvironment();
        environment["ASPNETCORE_URLS"] = SelectionUrl;
        environment["Artifacts__Root"] = ArtifactsRoot;
        environment["Selection__DefaultRun__Enabled"] = "false";
        environment["Security__Keys__Operator"] = OperatorKey;
        environment["Security__Keys__Worker"] = WorkerKey;
        environment["Security__Keys__Service"] = ServiceKey;
        environment["Security__CertificatePath"] = Certificates.CertificatePath;
        environment["Security__CertificateKeyPath"] = Certificates.KeyPath;
        Selection = ServiceProcess.Start("ActiveSynth.Selection", environment);
        _processes.Add(Selection);
        using var channel = Channel(OperatorKey);
        var runs = new Runs.RunsClient(channel);
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            try
            {
                await runs.ListRunsAsync(new ListRunsRequest(), deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: ct);
                return;
            }
            catch (RpcException) when (DateTime.UtcNow < deadline && !Selection.HasExited)
            {
                await Task.Delay(250, ct);
            }
            catch (RpcException ex)
            {
                throw new InvalidOperationException($"Selection at {SelectionUrl} did not answer ({ex.Status}):\n{Selection.Output}", ex);
            }
        }
    }

    private static int FreePort(IPAddress address)
    {
        using var listener = new TcpListener(address, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            process.Dispose();
        }
        await Redis.DisposeAsync();
        Certificates.Dispose();
        try
        {
            Directory.Delete(ArtifactsRoot, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temp folder.
        }
    }
}
