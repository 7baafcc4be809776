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
        var manifestPath = Path.Combine(output, "aspire-manifest.json");
        try
        {
            var appHost = Projects.ActiveSynth_AppHost.ProjectPath;
            var start = new ProcessStartInfo("dotnet")
            {
                ArgumentList = { "run", "--project", appHost, "--no-build", "--", "--publisher", "manifest", "--output-path", manifestPath },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
            await process.WaitForExitAsync(timeout.Token);
            Assert.True(process.ExitCode == 0, $"manifest publish failed ({process.ExitCode}): {await stdout}{await stderr}");

            using var manifest = JsonDocument.Parse(await File.ReadAllTextAsync(manifestPath));
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
}
