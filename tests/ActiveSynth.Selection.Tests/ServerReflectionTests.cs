using System.Net;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ActiveSynth.Selection.Tests;

/// <summary>
/// gRPC server reflection as every service maps it (ServiceDefaults' MapDefaultEndpoints), over a real socket: served in
/// Development, Unimplemented elsewhere unless <c>Grpc:Reflection=true</c>; health answers everywhere.
/// </summary>
public sealed class ServerReflectionTests
{
    [Theory]
    [InlineData("Development", null, true)]
    [InlineData("Production", null, false)]
    [InlineData("Test", null, false)]
    [InlineData("Production", "true", true)]
    [InlineData("Development", "false", false)]
    public async Task Reflection_is_served_only_in_development_or_when_asked_for(string environment, string? setting, bool served)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment, ApplicationName = "ActiveSynth.Selection" });
        if (setting is not null)
        {
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Grpc:Reflection"] = setting });
        }
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
        builder.AddServiceDefaults();
        builder.Services.AddGrpc();
        await using var app = builder.Build();
        app.MapDefaultEndpoints();
        await app.StartAsync();
        try
        {
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            using var channel = GrpcChannel.ForAddress(address);

            // Health answers everywhere (its status comes from the checks, which have not run yet: Unknown here).
            var health = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest());
            Assert.True(Enum.IsDefined(health.Status));

            using var reflection = new ServerReflection.ServerReflectionClient(channel).ServerReflectionInfo();
            async Task<bool> AskAsync()
            {
                await reflection.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
                await reflection.RequestStream.CompleteAsync();
                return await reflection.ResponseStream.MoveNext(CancellationToken.None);
            }
            if (served)
            {
                Assert.True(await AskAsync());
                Assert.Contains("grpc.health.v1.Health", reflection.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name));
            }
            else
            {
                // An unserved method ends the call at once: the refusal may surface at the write or at the read.
                var refused = await Assert.ThrowsAsync<RpcException>(AskAsync);
                Assert.Equal(StatusCode.Unimplemented, refused.StatusCode);
            }
        }
        finally
        {
            await app.StopAsync();
        }
    }
}
