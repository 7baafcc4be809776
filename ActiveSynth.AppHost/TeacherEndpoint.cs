using Microsoft.Extensions.Configuration;

namespace ActiveSynth.AppHost;

public static class TeacherEndpoint
{
    public const string ConnectionName = "teacher";

    /// <summary>Name of the secret parameter resource that holds the connection string (not "teacher": that is the service's name).</summary>
    public const string ParameterName = "teacher-endpoint";

    /// <summary>
    /// An OpenAI-compatible teacher (`Endpoint=…;Key=…;Model=…`) from <c>ConnectionStrings:teacher</c>, passed to the Teacher service
    /// as its <c>ConnectionStrings__teacher</c> through a secret parameter (masked in the dashboard, a placeholder in the manifest).
    /// The parameter cannot be named "teacher" like the connection: resource names are unique and the service is "teacher".
    /// Without the setting, runs use the embedded teacher.
    /// </summary>
    public static IResourceBuilder<T> WithTeacherEndpoint<T>(this IResourceBuilder<T> teacher) where T : IResourceWithEnvironment
    {
        var builder = teacher.ApplicationBuilder;
        var key = $"ConnectionStrings:{ConnectionName}";
        if (string.IsNullOrWhiteSpace(builder.Configuration[key]))
        {
            return teacher;
        }
        var connection = builder.AddParameterFromConfiguration(ParameterName, key, secret: true);
        return teacher.WithEnvironment($"ConnectionStrings__{ConnectionName}", connection);
    }
}
