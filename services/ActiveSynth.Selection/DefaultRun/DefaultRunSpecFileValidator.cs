using ActiveSynth.Selection.Options;
using Google.Protobuf;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Selection.DefaultRun;

/// <summary>At start: a configured spec file must exist and parse as a RunSpec (protobuf JSON), so a typo fails the host, not the run.</summary>
public sealed class DefaultRunSpecFileValidator : IValidateOptions<DefaultRunOptions>
{
    public ValidateOptionsResult Validate(string? name, DefaultRunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!options.Enabled || string.IsNullOrWhiteSpace(options.SpecFile))
        {
            return ValidateOptionsResult.Success;
        }
        if (!File.Exists(options.SpecFile))
        {
            return ValidateOptionsResult.Fail($"Selection:DefaultRun:SpecFile: '{options.SpecFile}' does not exist.");
        }
        try
        {
            DefaultRunService.LoadSpec(options.SpecFile);
            return ValidateOptionsResult.Success;
        }
        catch (InvalidProtocolBufferException ex)
        {
            return ValidateOptionsResult.Fail($"Selection:DefaultRun:SpecFile: '{options.SpecFile}' is not a RunSpec in protobuf JSON: {ex.Message}");
        }
        catch (InvalidJsonException ex)
        {
            return ValidateOptionsResult.Fail($"Selection:DefaultRun:SpecFile: '{options.SpecFile}' is not valid JSON: {ex.Message}");
        }
    }
}
