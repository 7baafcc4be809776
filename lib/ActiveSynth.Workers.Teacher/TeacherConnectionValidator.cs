using Microsoft.Extensions.Configuration;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Teachers.OpenAI;
using Microsoft.Extensions.Options;

namespace ActiveSynth.Workers.Teacher;

/// <summary>
/// With <c>Teacher:DefaultKind=openai</c> the connection string must exist and parse, so a bad setting stops the
/// service at start with a message naming the key (never the key's value).
/// </summary>
public sealed class TeacherConnectionValidator(IConfiguration configuration) : IValidateOptions<TeacherServiceOptions>
{
    public ValidateOptionsResult Validate(string? name, TeacherServiceOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var connectionString = configuration.GetConnectionString(options.ConnectionName);
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return options.DefaultKind == "openai"
                ? ValidateOptionsResult.Fail($"Teacher:DefaultKind is 'openai' but ConnectionStrings:{options.ConnectionName} is not set (Endpoint=...;Key=...;Model=...).")
                : ValidateOptionsResult.Success;
        }
        return TeacherConnection.TryParse(connectionString, out _, out var error)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"ConnectionStrings:{options.ConnectionName}: {error}");
    }
}
