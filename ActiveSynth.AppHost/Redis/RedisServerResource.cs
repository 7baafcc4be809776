namespace ActiveSynth.AppHost.Redis;

/// <summary>
/// A redis-server process started by the AppHost (no container runtime needed). Its connection string has the
/// same <c>host:port,password=…</c> shape as Aspire.Hosting.Redis, so services cannot tell the modes apart.
/// </summary>
public sealed class RedisServerResource(string name, string command, string workingDirectory, ParameterResource password)
    : ExecutableResource(name, command, workingDirectory), IResourceWithConnectionString
{
    public const string PrimaryEndpointName = "tcp";

    private EndpointReference? _primaryEndpoint;

    public EndpointReference PrimaryEndpoint => _primaryEndpoint ??= new(this, PrimaryEndpointName);

    public ParameterResource Password { get; } = password;

    public ReferenceExpression ConnectionStringExpression => ReferenceExpression.Create(
        $"{PrimaryEndpoint.Property(EndpointProperty.Host)}:{PrimaryEndpoint.Property(EndpointProperty.Port)},password={Password}");
}
