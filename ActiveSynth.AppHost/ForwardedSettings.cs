using Microsoft.Extensions.Configuration;

namespace ActiveSynth.AppHost;

public static class ForwardedSettings
{
    /// <summary>
    /// Passes every AppHost setting under <paramref name="section"/> to the service as environment variables
    /// (<c>Selection:DefaultRun:Enabled</c> → <c>Selection__DefaultRun__Enabled</c>), so one place configures
    /// the whole deployment: appsettings, environment or `dotnet run -- --Training:BaseSteps=200`.
    /// </summary>
    public static IResourceBuilder<T> WithSettingsSection<T>(this IResourceBuilder<T> service, string section) where T : IResourceWithEnvironment
    {
        foreach (var (key, value) in service.ApplicationBuilder.Configuration.GetSection(section).AsEnumerable(makePathsRelative: false))
        {
            if (value is not null)
            {
                service.WithEnvironment(key.Replace(":", "__", StringComparison.Ordinal), value);
            }
        }
        return service;
    }
}
