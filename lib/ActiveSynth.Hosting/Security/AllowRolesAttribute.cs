namespace ActiveSynth.Hosting.Security;

/// <summary>
/// The roles that may call a gRPC service (on the class) or one of its methods (on the method, which then wins). The keyed
/// deployment refuses every call to a method that declares none, except health checks: a new API is closed until it says who it is for.
/// </summary>
[AttributeUsage(AttributeTargets.Class | AttributeTargets.Method, Inherited = false)]
public sealed class AllowRolesAttribute(params string[] roles) : Attribute
{
    public IReadOnlyList<string> Roles { get; } = roles;
}
