using System.ComponentModel;
using System.Diagnostics;
using Microsoft.Extensions.Configuration;

namespace ActiveSynth.AppHost.Redis;

/// <summary>Where Redis comes from. <c>Redis:Mode</c> = auto | container | executable | external.</summary>
public enum RedisMode
{
    /// <summary>Aspire.Hosting.Redis in a container: needs a working docker or podman.</summary>
    Container,
    /// <summary>A local redis-server process that the AppHost starts (PATH or the build's tools folder).</summary>
    Executable,
    /// <summary>An existing server from <c>ConnectionStrings:redis</c>.</summary>
    External,
}

public static class RedisModeSelector
{
    /// <param name="publishing">
    /// Writing a deployment manifest: a local process means nothing on another host, so auto means a container
    /// (which a deployment replaces with managed Redis through ConnectionStrings:redis).
    /// </param>
    public static RedisMode Choose(IConfiguration config, bool publishing)
    {
        var raw = (config["Redis:Mode"] ?? "auto").Trim().ToLowerInvariant();
        return raw switch
        {
            "auto" or "" when publishing => RedisMode.Container,
            "container" => RedisMode.Container,
            "executable" => RedisMode.Executable,
            "external" => RedisMode.External,
            "auto" or "" => !string.IsNullOrWhiteSpace(config.GetConnectionString("redis")) ? RedisMode.External
                : ContainerRuntimeWorks(config) ? RedisMode.Container
                : RedisMode.Executable,
            _ => throw new InvalidOperationException(
                $"Redis:Mode is '{config["Redis:Mode"]}'; expected auto, container, executable or external."),
        };
    }

    /// <summary>
    /// True when `docker info` (or podman, or the configured runtime) succeeds. A docker CLI without a daemon
    /// is common (and makes AddRedis hang), so the client being on PATH is not enough.
    /// </summary>
    private static bool ContainerRuntimeWorks(IConfiguration config)
    {
        var configured = config["ASPIRE_CONTAINER_RUNTIME"] ?? config["DOTNET_ASPIRE_CONTAINER_RUNTIME"];
        string[] runtimes = string.IsNullOrWhiteSpace(configured) ? ["docker", "podman"] : [configured];
        return runtimes.Any(InfoSucceeds);
    }

    private static bool InfoSucceeds(string runtime)
    {
        try
        {
            using var process = Process.Start(new ProcessStartInfo(runtime, "info")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            });
            if (process is null)
            {
                return false;
            }
            // `info` prints a few KB at most, well under a pipe's buffer, so waiting without reading cannot block.
            if (!process.WaitForExit(TimeSpan.FromSeconds(5)))
            {
                process.Kill(entireProcessTree: true);
                return false;
            }
            return process.ExitCode == 0;
        }
        catch (Win32Exception)
        {
            return false; // not installed
        }
    }
}
