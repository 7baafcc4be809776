using ActiveSynth.Hosting.Grpc;
using ActiveSynth.Hosting;
using System.Net;
using ActiveSynth.Contracts;
using ActiveSynth.Selection.Grpc;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActiveSynth.Selection.Tests.Support;

/// <summary>
/// The Selection service as its Program.cs builds it (service defaults, AddRuns, AddActiveSynthGrpc, the Runs and Artifacts APIs), listening on a
/// free loopback port over h2c, with the fake workers in the same process. Clients reach it over a real socket.
/// </summary>
public sealed class SelectionGrpcHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SelectionGrpcHost(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>Builds and starts the host; <paramref name="extraSettings"/> override the test defaults (e.g. <c>Grpc:*</c>).</summary>
    public static async Task<SelectionGrpcHost> StartAsync(string redis, string artifactsRoot, WorkerLog log,
        IReadOnlyDictionary<string, string?>? extraSettings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Test", ApplicationName = "ActiveSynth.Selection" });
        builder.Configuration.AddInMemoryCollection(SelectionHost.Settings(redis, artifactsRoot));
        if (extraSettings is not null)
        {
            builder.Configuration.AddInMemoryCollection(extraSettings);
        }
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.AddServiceDefaults();
        builder.AddActiveSynthService(ConsumerGroups.Selection);
        builder.AddRuns();
        builder.Services.AddActiveSynthGrpc();
        builder.Services.MapSelectionRefusals();
        SelectionHost.AddFakeWorkers(builder, log);
        var app = builder.Build();
        app.MapGrpcService<RunsApi>();
        app.MapGrpcService<ArtifactsApi>();
        try
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await app.StartAsync(cts.Token);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new SelectionGrpcHost(app, new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _app.StopAsync(cts.Token);
        await _app.DisposeAsync();
    }
}
