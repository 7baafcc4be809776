namespace ActiveSynth.Hosting.Security;

/// <summary>
/// Who may call what, past loopback (docs/architecture.md, "Security"). Each role has its own deployment key, so a leaked
/// worker key cannot start runs and a leaked operator key cannot plant checkpoints.
/// </summary>
public static class DeploymentRoles
{
    /// <summary>A person or script driving runs: the Runs, Selector and Diagnostics APIs (the command line).</summary>
    public const string Operator = "operator";

    /// <summary>A worker replica: artifact download and the uploads of the paths workers write (checkpoints, bases).</summary>
    public const string Worker = "worker";

    /// <summary>The deployment itself: the AppHost and Selection calling the services (diagnostics, the workers' own APIs).</summary>
    public const string Service = "service";
}
