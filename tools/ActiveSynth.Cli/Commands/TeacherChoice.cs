using ActiveSynth.Contracts.V1;
using ActiveSynth.Teachers.OpenAI;

namespace ActiveSynth.Cli.Commands;

/// <summary>
/// <c>--teacher embedded|openai</c> and <c>--teacher-model</c> as the spec's teacher.kind and teacher.model. The endpoint and
/// its key are never options: they come from <c>ConnectionStrings:teacher</c> (for this process, the environment variable
/// <see cref="EnvironmentVariable"/>; for <c>--server</c>, the deployment's Teacher service), so a key never lands in a shell's
/// history or a process list.
/// </summary>
internal static class TeacherChoice
{
    public const string EnvironmentVariable = "ConnectionStrings__teacher";

    public const string Embedded = "embedded";

    public const string OpenAi = "openai";

    /// <summary>A problem with the options' values; null when they are fine.</summary>
    public static string? Problem(string? teacher, string? model)
    {
        if (teacher is not null && teacher is not (Embedded or OpenAi))
        {
            return $"--teacher: '{teacher}' is not {Embedded} or {OpenAi} (an OpenAI-compatible endpoint: OpenAI, Azure OpenAI, Ollama, vLLM, llama.cpp)";
        }
        if (model is not null && (string.IsNullOrWhiteSpace(model) || model.Length > 200))
        {
            return "--teacher-model: give the model or deployment name (at most 200 characters)";
        }
        return model is not null && teacher != OpenAi
            ? "--teacher-model needs --teacher openai (the embedded teacher has one model)"
            : null;
    }

    /// <summary>
    /// For a run in this process: <c>--teacher openai</c> with no connection string in the environment, or one that does not
    /// parse (the message never repeats the key).
    /// </summary>
    public static string? MissingEndpoint(string? teacher, string? connectionString)
    {
        if (teacher != OpenAi)
        {
            return null;
        }
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            return $"--teacher openai: no endpoint; set the environment variable {EnvironmentVariable}=\"Endpoint=https://...;Key=...;Model=...\" "
                + "(the endpoint and key are never command-line options)";
        }
        return TeacherConnection.TryParse(connectionString, out _, out var error) ? null : $"--teacher openai: {EnvironmentVariable}: {error}";
    }

    /// <summary>Writes the choice over the spec's teacher, keeping its other fields (temperature, prompt version, ...).</summary>
    public static void Apply(RunSpec spec, string? teacher, string? model)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (teacher is null && model is null)
        {
            return;
        }
        spec.Teacher ??= new TeacherSpec();
        if (teacher is not null)
        {
            spec.Teacher.Kind = teacher == OpenAi ? TeacherKind.Openai : TeacherKind.Embedded;
            if (teacher == OpenAi)
            {
                spec.Teacher.ErrorRate = 0; // an embedded-only setting: an endpoint's mistakes are its own
            }
        }
        if (teacher == Embedded || model is not null)
        {
            spec.Teacher.Model = model ?? ""; // empty: the configured model of that kind
        }
    }
}
