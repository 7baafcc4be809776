using System.Net;
using ActiveSynth.Hosting;
using ActiveSynth.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StackExchange.Redis;

namespace ActiveSynth.Security.Tests;

/// <summary>
/// An external Redis over TLS, as the services connect to it (Hosting's AddRedis): <c>ssl=true</c> in the connection string and
/// the deployment's CA in <c>Security:TrustedCaPath</c>. The server speaks only TLS, so a working round trip is an encrypted one.
/// </summary>
public sealed class RedisTlsTests
{
    [Fact]
    public async Task The_services_redis_connection_speaks_tls_to_a_server_signed_by_the_deployment_ca()
    {
        using var certificates = TestCertificates.Create("127.0.0.1");
        await using var redis = await RedisServerProcess.StartTlsAsync(certificates, IPAddress.Loopback);
        Assert.Contains("ssl=true", redis.ConnectionString, StringComparison.Ordinal);

        using var host = Host(redis.ConnectionString, certificates.CaPath);
        var connection = host.Services.GetRequiredService<IConnectionMultiplexer>();
        var db = connection.GetDatabase();
        var id = await db.StreamAddAsync("tls-test", "field", "value");
        var read = await db.StreamRangeAsync("tls-test");

        Assert.Equal(id, Assert.Single(read).Id);
        Assert.True(connection.IsConnected);
    }

    [Fact]
    public async Task Without_the_ca_the_server_is_not_trusted_and_nothing_is_sent()
    {
        using var certificates = TestCertificates.Create("127.0.0.1");
        await using var redis = await RedisServerProcess.StartTlsAsync(certificates, IPAddress.Loopback);

        var untrusted = ConfigurationOptions.Parse(redis.ConnectionString);
        untrusted.AbortOnConnectFail = true;
        untrusted.ConnectTimeout = 3000;
        await Assert.ThrowsAsync<RedisConnectionException>(() => ConnectionMultiplexer.ConnectAsync(untrusted));

        var plain = ConfigurationOptions.Parse(redis.ConnectionString.Replace(",ssl=true", "", StringComparison.Ordinal));
        plain.AbortOnConnectFail = true;
        plain.ConnectTimeout = 3000;
        await Assert.ThrowsAsync<RedisConnectionException>(() => ConnectionMultiplexer.ConnectAsync(plain));
    }

    private static IHost Host(string connectionString, string caPath)
    {
        var builder = Microsoft.Extensions.Hosting.Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:redis"] = connectionString,
            ["Security:TrustedCaPath"] = caPath,
        });
        builder.AddRedis();
        return builder.Build();
    }
}
