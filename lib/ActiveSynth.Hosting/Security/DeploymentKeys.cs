using System.Security.Cryptography;
using System.Text;

namespace ActiveSynth.Hosting.Security;

/// <summary>The deployment keys a service accepts, one per role (<c>Security:Keys:*</c>). None set: the loopback-only local profile.</summary>
public sealed class DeploymentKeys
{
    /// <summary>Shortest key accepted: 32 characters (e.g. <c>openssl rand -hex 32</c> gives 64).</summary>
    public const int MinLength = 32;

    public string? Operator { get; set; }

    public string? Worker { get; set; }

    public string? Service { get; set; }

    /// <summary>Whether any key is set, so calls must present one.</summary>
    public bool Any => ByRole().Any();

    /// <summary>The role whose key <paramref name="presented"/> is, or null. Compares hashes in fixed time: no timing tells how much matched.</summary>
    public string? RoleOf(string presented)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(presented));
        string? role = null;
        foreach (var (name, key) in ByRole())
        {
            if (CryptographicOperations.FixedTimeEquals(hash, SHA256.HashData(Encoding.UTF8.GetBytes(key))))
            {
                role = name;
            }
        }
        return role;
    }

    public IEnumerable<(string Role, string Key)> ByRole()
    {
        if (!string.IsNullOrEmpty(Operator))
        {
            yield return (DeploymentRoles.Operator, Operator);
        }
        if (!string.IsNullOrEmpty(Worker))
        {
            yield return (DeploymentRoles.Worker, Worker);
        }
        if (!string.IsNullOrEmpty(Service))
        {
            yield return (DeploymentRoles.Service, Service);
        }
    }
}
