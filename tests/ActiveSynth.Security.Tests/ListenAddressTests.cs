using ActiveSynth.Hosting.Security;
using Microsoft.Extensions.Configuration;

namespace ActiveSynth.Security.Tests;

/// <summary>The start-up check: nothing listens past loopback without deployment keys and TLS, and each refusal names the setting.</summary>
public sealed class ListenAddressTests
{
    private static readonly string Key = new('k', 64);

    [Theory]
    [InlineData("http://localhost:5000", true)]
    [InlineData("http://127.0.0.1:0", true)]
    [InlineData("http://127.0.0.2:80", true)]
    [InlineData("https://[::1]:443", true)]
    [InlineData("http://0.0.0.0:80", false)]
    [InlineData("http://*:80", false)]
    [InlineData("http://+:80", false)]
    [InlineData("https://[::]:443", false)]
    [InlineData("https://10.1.2.3:443", false)]
    [InlineData("https://selection.example:443", false)]
    public void Loopback_is_localhost_and_127_0_0_0_8_and_1(string url, bool loopback) => Assert.Equal(loopback, ListenAddresses.IsLoopback(url));

    [Fact]
    public void The_local_profile_needs_no_settings() => Assert.True(Validate(new() { ["urls"] = "http://localhost:5000" }).Succeeded);

    [Fact]
    public void Listening_on_all_interfaces_without_keys_is_refused_naming_the_key_settings()
    {
        var result = Validate(new() { ["urls"] = "http://0.0.0.0:5000" });
        Assert.True(result.Failed);
        Assert.Contains("Security:Keys:Operator", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("http://0.0.0.0:5000", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Ports_without_a_host_listen_everywhere_and_are_refused_too()
    {
        Assert.Contains("Security:Keys", Validate(new() { ["http_ports"] = "8080" }).FailureMessage, StringComparison.Ordinal);
        Assert.Contains("Security:Keys", Validate(new() { ["Kestrel:Endpoints:Grpc:Url"] = "https://*:8443" }).FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Clear_text_past_loopback_is_refused_even_with_keys()
    {
        var result = Validate(new() { ["urls"] = "http://10.1.2.3:5000", ["Security:Keys:Operator"] = Key });
        Assert.Contains("clear text", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains("https://", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Https_needs_a_certificate()
    {
        var result = Validate(new() { ["urls"] = "https://10.1.2.3:5000", ["Security:Keys:Operator"] = Key });
        Assert.Contains("Security:CertificatePath", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void Short_keys_and_one_key_for_two_roles_are_refused()
    {
        Assert.Contains("Security:Keys:Worker is 5 characters", Validate(new() { ["Security:Keys:Worker"] = "short" }).FailureMessage, StringComparison.Ordinal);
        Assert.Contains("same key",
            Validate(new() { ["Security:Keys:Worker"] = Key, ["Security:Keys:Operator"] = Key }).FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_belongs_to_its_role_only()
    {
        var keys = new DeploymentKeys { Operator = new string('o', 40), Worker = new string('w', 40) };
        Assert.Equal(DeploymentRoles.Operator, keys.RoleOf(new string('o', 40)));
        Assert.Equal(DeploymentRoles.Worker, keys.RoleOf(new string('w', 40)));
        Assert.Null(keys.RoleOf(new string('o', 39)));
        Assert.Null(keys.RoleOf(""));
    }

    private static Microsoft.Extensions.Options.ValidateOptionsResult Validate(Dictionary<string, string?> settings)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        var options = configuration.GetSection(DeploymentSecurityOptions.SectionName).Get<DeploymentSecurityOptions>() ?? new DeploymentSecurityOptions();
        return new DeploymentSecurityValidator(configuration).Validate(null, options);
    }
}
