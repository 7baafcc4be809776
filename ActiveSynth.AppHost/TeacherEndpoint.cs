using Microsoft.Extensions.Configuration;

namespace ActiveSynth.Hosting;

public static class TeacherEndpoint
{
    public const string ConnectionName = "teacher";

    /// <summary>
    /// An OpenAI-compatible teacher (`Endpoint=…;Key=…;Model=…`) from <c>ConnectionStrings:teacher</c>, passed to the
    /// Teacher service as a connection string: Aspire treats it as a secret (masked in the dashboard). Without it,
    /// runs use the embedded teacher.
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithTeacherEndpoint(this IResourceBuilder<ProjectResource> teacher)
    {
        var builder = teacher.ApplicationBuilder;
        if (string.IsNullOrWhiteSpace(builder.Configuration.GetConnectionString(ConnectionName)))
        {
            return teacher;
        }
        return teacher.WithReference(builder.AddConnectionString(ConnectionName));
    }
}
