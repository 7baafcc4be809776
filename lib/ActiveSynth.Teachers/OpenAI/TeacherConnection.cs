using System.Data.Common;
using ActiveSynth.Core.Diagnostics;

namespace ActiveSynth.Teachers.OpenAI;

/// <summary>
/// Where an OpenAI-compatible teacher lives, parsed from a connection string
/// <c>Endpoint=https://host/v1;Key=sk-...;Model=gpt-4o-mini</c> (keys case-insensitive; <c>ApiKey</c> and
/// <c>Deployment</c> are accepted too). The key is optional for local servers (Ollama, vLLM, llama.cpp).
/// <see cref="ToString"/> never shows the key, nor a user:password in the endpoint.
/// </summary>
public sealed class TeacherConnection
{
    private TeacherConnection(Uri endpoint, string? key, string model)
    {
        Endpoint = endpoint;
        Key = key;
        Model = model;
    }

    public Uri Endpoint { get; }

    /// <summary>The API key: a secret; never log it.</summary>
    public string? Key { get; }

    public string Model { get; }

    public static TeacherConnection Parse(string connectionString)
    {
        if (!TryParse(connectionString, out var connection, out var error))
        {
            throw new FormatException(error);
        }
        return connection;
    }

    /// <summary>Parses without throwing; <paramref name="error"/> names the missing or bad part (never echoes the key).</summary>
    public static bool TryParse(string? connectionString, out TeacherConnection connection, out string error)
    {
        connection = null!;
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            error = "The teacher connection string is empty; expected 'Endpoint=...;Key=...;Model=...'.";
            return false;
        }
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            // The parser's message may quote the string, key included: do not pass it on.
            error = "The teacher connection string is not of the form 'Endpoint=...;Key=...;Model=...'.";
            return false;
        }
        var endpoint = Value(builder, "Endpoint");
        var model = Value(builder, "Model") ?? Value(builder, "Deployment");
        var key = Value(builder, "Key") ?? Value(builder, "ApiKey");
        if (endpoint is null || !Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
        {
            error = "The teacher connection string needs Endpoint=<absolute http(s) URL>.";
            return false;
        }
        if (model is null)
        {
            error = "The teacher connection string needs Model=<model or deployment name>.";
            return false;
        }
        connection = new TeacherConnection(uri, key, model);
        error = "";
        return true;
    }

    public override string ToString() => $"Endpoint={SafeUrl.Redact(Endpoint)};Model={Model};Key={(Key is null ? "(none)" : "***")}";

    private static string? Value(DbConnectionStringBuilder builder, string name) =>
        builder.TryGetValue(name, out var value) && value is string s && !string.IsNullOrWhiteSpace(s) ? s.Trim() : null;
}
