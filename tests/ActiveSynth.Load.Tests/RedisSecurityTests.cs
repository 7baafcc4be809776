using Aspire.Hosting.Testing;
using Xunit.Abstractions;

namespace ActiveSynth.Load.Tests;

/// <summary>The deployment's redis-server asks for a password and listens on loopback only.</summary>
[Collection(LoadCollection.Name)]
public sealed class RedisSecurityTests(LoadAppHostFixture fixture, ITestOutputHelper output)
{
    [Fact]
    public async Task Redis_refuses_a_client_without_the_password_and_answers_one_with_it()
    {
        var endpoint = fixture.App.GetEndpoint("redis", "tcp");
        var password = fixture.RedisPassword();
        Assert.True(password.Length >= 32, $"the Redis password has {password.Length} characters");

        await using (var anonymous = await RespClient.ConnectAsync(endpoint.Host, endpoint.Port))
        {
            var ping = await anonymous.SendAsync("PING");
            output.WriteLine($"PING without a password: {ping}");
            Assert.StartsWith("-NOAUTH", ping, StringComparison.Ordinal);
            Assert.StartsWith("-NOAUTH", await anonymous.SendAsync("KEYS", "*"), StringComparison.Ordinal);
        }
        await using var wrong = await RespClient.ConnectAsync(endpoint.Host, endpoint.Port);
        Assert.StartsWith("-", await wrong.SendAsync("AUTH", "not-the-password"), StringComparison.Ordinal);
        await using var client = await RespClient.ConnectAsync(endpoint.Host, endpoint.Port);
        Assert.Equal("+OK", await client.SendAsync("AUTH", password));
        Assert.Equal("+PONG", await client.SendAsync("PING"));
    }

    [Fact]
    public async Task Redis_binds_loopback_only_and_keeps_protected_mode()
    {
        var endpoint = fixture.App.GetEndpoint("redis", "tcp");
        await using var client = await RespClient.ConnectAsync(endpoint.Host, endpoint.Port);
        Assert.Equal("+OK", await client.SendAsync("AUTH", fixture.RedisPassword()));

        var bind = (await client.SendAsync("CONFIG", "GET", "bind")).Split('\n');
        var protectedMode = (await client.SendAsync("CONFIG", "GET", "protected-mode")).Split('\n');
        output.WriteLine($"bind: {string.Join(" ", bind)}; protected-mode: {string.Join(" ", protectedMode)}");

        Assert.Equal("bind", bind[0]);
        var addresses = bind[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.NotEmpty(addresses);
        Assert.All(addresses, a => Assert.True(a is "127.0.0.1" or "::1" or "-::1", $"Redis binds {a}, which is not loopback"));
        Assert.Equal(["protected-mode", "yes"], protectedMode);
        var config = await File.ReadAllTextAsync(fixture.RedisConfigFile);
        Assert.Contains("requirepass ", config, StringComparison.Ordinal);
        Assert.DoesNotContain("bind 0.0.0.0", config, StringComparison.Ordinal);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(fixture.RedisConfigFile));
        }
    }
}
