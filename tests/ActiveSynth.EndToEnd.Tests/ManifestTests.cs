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

    [Fact]
    public async Task Deployment_keys_reach_every_service_as_secret_parameters_without_their_values_in_the_manifest()
    {
        var output = Path.Combine(Path.GetTempPath(), $"activesynth-manifest-{Guid.NewGuid():N}");
        var (operatorKey, workerKey) = ($"operator-{Guid.NewGuid():N}", $"worker-{Guid.NewGuid():N}");
        try
        {
            using var manifest = await PublishAsync(output, $"--Security:Keys:Operator={operatorKey}", $"--Security:Keys:Worker={workerKey}");
            var resources = manifest.RootElement.GetProperty("resources");

            foreach (var service in AppHostFixture.Services)
            {
                var env = resources.GetProperty(service).GetProperty("env");
                Assert.Equal("{security-operator-key.value}", env.GetProperty("Security__Keys__Operator").GetString());
                Assert.Equal("{security-worker-key.value}", env.GetProperty("Security__Keys__Worker").GetString());
                Assert.False(env.TryGetProperty("Security__Keys__Service", out _), "a key that is not set is not passed");
            }
            Assert.True(resources.GetProperty("security-operator-key").GetProperty("inputs").GetProperty("value").GetProperty("secret").GetBoolean());
            Assert.DoesNotContain(operatorKey, manifest.RootElement.GetRawText(), StringComparison.Ordinal);
            Assert.DoesNotContain(workerKey, manifest.RootElement.GetRawText(), StringComparison.Ordinal);
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
    public async Task An_executable_worker_is_in_the_manifest_with_its_command_and_an_endpoint_per_replica_and_an_external_one_is_left_out()
    {
        var output = Path.Combine(Path.GetTempPath(), $"activesynth-manifest-{Guid.NewGuid():N}");
        try
        {
            using var manifest = await PublishAsync(output, "--Services:Teacher:Source=external", "--Services:Scoring:Source=executable",
                "--Services:Scoring:Command=python3", "--Services:Scoring:Args:0=scorer.py", "--Services:Scoring:Args:1=--fast", "--Services:Scoring:Replicas=2");
            var resources = manifest.RootElement.GetProperty("resources");

            Assert.False(resources.TryGetProperty("teacher", out _), "an external worker kind is deployed elsewhere: not in the manifest");
            foreach (var name in new[] { "scoring", "scoring-2" })
            {
                var scoring = resources.GetProperty(name);
                Assert.Equal("executable.v0", scoring.GetProperty("type").GetString());
                Assert.Equal("python3", scoring.GetProperty("command").GetString());
                Assert.Equal(["scorer.py", "--fast"], scoring.GetProperty("args").EnumerateArray().Select(a => a.GetString()));
                var env = scoring.GetProperty("env");
                Assert.Equal("{redis.connectionString}", env.GetProperty("ConnectionStrings__redis").GetString());
                Assert.True(env.TryGetProperty("Artifacts__Root", out _));
                // Each replica its own h2c endpoint, which a .NET service binds through ASPNETCORE_URLS (and another runtime through PORT).
                Assert.Equal("http2", scoring.GetProperty("bindings").GetProperty("grpc").GetProperty("transport").GetString());
                Assert.Equal($"http://localhost:{{{name}.bindings.grpc.targetPort}}", env.GetProperty("ASPNETCORE_URLS").GetString());
                Assert.Equal($"{{{name}.bindings.grpc.targetPort}}", env.GetProperty("PORT").GetString());
            }
            Assert.Equal("project.v0", resources.GetProperty("training").GetProperty("type").GetString());
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    [Theory]
    [InlineData("--Services:Teacher:Source=docker", "Services:Teacher:Source must be 'project', 'executable' or 'external', got 'docker'")]
    [InlineData("--Services:Scoring:Source=executable", "Services:Scoring:Command is required when Services:Scoring:Source is 'executable'")]
    [InlineData("--Services:Training:Command=python3", "Services:Training:Command and Services:Training:Args apply only when Services:Training:Source is 'executable'")]
    [InlineData("--Services:Teacher:Replicas=0", "Services:Teacher:Replicas must be a whole number from 1 to 32, got '0'")]
    public async Task A_bad_worker_setting_stops_the_apphost_naming_the_setting(string setting, string message)
    {
        var (exitCode, text) = await RunAppHostAsync("--publisher", "manifest", "--output-path", Path.Combine(Path.GetTempPath(), $"activesynth-bad-{Guid.NewGuid():N}.json"), setting);
        Assert.NotEqual(0, exitCode);
        Assert.Contains(message, text, StringComparison.Ordinal);
    }

    private static async Task<JsonDocument> PublishAsync(string output, params string[] settings)
    {
        var manifestPath = Path.Combine(output, "aspire-manifest.json");
        var (exitCode, text) = await RunAppHostAsync(["--publisher", "manifest", "--output-path", manifestPath, .. settings]);
        Assert.True(exitCode == 0, $"manifest publish failed ({exitCode}): {text}");
        return JsonDocument.Parse(await File.ReadAllTextAsync(manifestPath));
    }

    private static async Task<(int ExitCode, string Output)> RunAppHostAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            ArgumentList = { "run", "--project", Projects.ActiveSynth_AppHost.ProjectPath, "--no-build", "--" },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout + await stderr);
    }
}
