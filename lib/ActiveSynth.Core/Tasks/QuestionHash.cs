using System.Security.Cryptography;
using System.Text;

namespace ActiveSynth.Core.Tasks;

/// <summary>
/// The normalised hash that detects near-duplicates: lower case, letters and digits only (spacing, punctuation
/// and case differences do not make a new question).
/// </summary>
public static class QuestionHash
{
    public static string Normalize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (char.IsLetterOrDigit(c))
            {
                builder.Append(char.ToLowerInvariant(c));
            }
        }
        return builder.ToString();
    }

    public static string Compute(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Normalize(text))));
}
