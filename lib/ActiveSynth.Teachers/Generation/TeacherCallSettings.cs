using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.AI;

namespace ActiveSynth.Teachers.Generation;

/// <summary>How to call the teacher for one request (from the run's <c>TeacherSpec</c>).</summary>
/// <param name="Model">Model id; empty = the client's default.</param>
/// <param name="PromptVersion">Resolved prompt version (<see cref="Prompts.PromptLibrary.Resolve"/>).</param>
/// <param name="Temperature">Sampling temperature; null = the endpoint's default.</param>
/// <param name="Seed">Run-level sampling seed; each call's seed is derived from it and the sample id.</param>
/// <param name="MaxCompletionTokens">Per call; null = the endpoint's default.</param>
/// <param name="ErrorRate">Embedded teacher only; null = its configured default.</param>
/// <param name="DisableCache">Bypass the response cache.</param>
public sealed record TeacherCallSettings(string Model, string PromptVersion, double? Temperature = null, long Seed = 0,
    int? MaxCompletionTokens = null, double? ErrorRate = null, bool DisableCache = false)
{
    /// <summary>Chat options of one call; <paramref name="callKey"/> (e.g. "sample-7:q") makes its seed distinct and stable.</summary>
    public ChatOptions ToChatOptions(string callKey)
    {
        var properties = new AdditionalPropertiesDictionary { [TeacherOptionKeys.PromptVersion] = PromptVersion };
        if (ErrorRate is { } rate)
        {
            properties[TeacherOptionKeys.ErrorRate] = rate;
        }
        if (DisableCache)
        {
            properties[TeacherOptionKeys.DisableCache] = true;
        }
        return new ChatOptions
        {
            ModelId = string.IsNullOrEmpty(Model) ? null : Model,
            Temperature = (float?)Temperature,
            MaxOutputTokens = MaxCompletionTokens,
            Seed = DeriveSeed(callKey),
            AdditionalProperties = properties,
        };
    }

    // Two slots that picked the same seed must get different samples, and a redelivered request the same one:
    // the call seed is a pure function of the run seed and the call's key.
    private long DeriveSeed(string callKey)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(FormattableString.Invariant($"{Seed}|{callKey}")));
        return BitConverter.ToInt64(hash, 0) & 0x7FFF_FFFF_FFFF;
    }
}
