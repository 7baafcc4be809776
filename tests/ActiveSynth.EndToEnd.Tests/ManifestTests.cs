using System.Diagnostics;
using System.Text.Json;

namespace ActiveSynth.EndToEnd.Tests;

/// <summary>The AppHost's publish mode writes Aspire's deployment manifest with every resource of the topology.</summary>
public sealed class ManifestTests
{
    [Fact]
    public async Task The_manifest_lists_redis_and_the_four_services()
    {
        var output = Path.Combine(Path.GetTempPath(), $"activesynth-manifest-{Guid.NewGuid():N}");
        try
        {
            using var manifest = await PublishAsync(output);
            var resources = manifest.RootElement.GetProperty("resources");
            Assert.Equal("container.v0", resources.GetProperty("redis").GetProperty("type").GetString());
            foreach (var service in AppHostFixture.Services)
            {
                var resource = resources.GetProperty(service);
                Assert.Equal("project.v0", resource.GetProperty("type").GetString());
                Assert.Equal("http2", resource.GetProperty("bindings").GetProperty("grpc").GetProperty("transport").GetString());
                Assert.Equal("{redis.connectionString}", resource.GetProperty("env").GetProperty("ConnectionStrings__redis").GetString());
            }
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    [Fact]
    public async Task A_teacher_endpoint_reaches_the_teacher_service_as_a_secret_connection_string_without_its_key_in_the_manifest()
    {
        var output = Path.Combine(Path.GetTempPath(), $"activesynth-manifest-{Guid.NewGuid():N}");
        var key = $"sk-manifest-{Guid.NewGuid():N}";
        try
        {
            using var manifest = await PublishAsync(output, $"--ConnectionStrings:teacher=Endpoint=http://127.0.0.1:9/v1;Key={key};Model=m");
            var resources = manifest.RootElement.GetProperty("resources");

            var env = resources.GetProperty("teacher").GetProperty("env");
            Assert.Equal("{teacher-endpoint.value}", env.GetProperty("ConnectionStrings__teacher").GetString());
            Assert.True(resources.GetProperty("teacher-endpoint").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
            Assert.DoesNotContain(key, manifest.RootElement.GetRawText(), StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    private static async Task<JsonDocument> PublishAsync(string output, params string[] settings)
    {
        var manifestPath = Path.Combine(output, "aspire-manifest.json");
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "run", "--project", Projects.ActiveSynth_AppHost.ProjectPath, "--no-build", "--", "--publisher", "manifest", "--output-path", manifestPath },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var setting in settings)
        {
            start.ArgumentList.Add(setting);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        Assert.True(process.ExitCode == 0, $"manifest publish failed ({process.ExitCode}): {await stdout}{await stderr}");
        return JsonDocument.Parse(await File.ReadAllTextAsync(manifestPath));
    }
}
