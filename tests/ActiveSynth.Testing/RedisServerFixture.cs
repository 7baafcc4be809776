using Xunit;

namespace ActiveSynth.Testing;

/// <summary>
/// xunit fixture that owns one <see cref="RedisServerProcess"/> for a test class or collection
/// (<c>IClassFixture&lt;RedisServerFixture&gt;</c> or <c>ICollectionFixture&lt;RedisServerFixture&gt;</c>).
/// Tests sharing it keep apart by using their own key names.
/// </summary>
public sealed class RedisServerFixture : IAsyncLifetime
{
    private RedisServerProcess? _server;

    /// <summary>The running server.</summary>
    public RedisServerProcess Server => _server ?? throw new InvalidOperationException("The fixture has not started.");

    /// <summary>Connection string of the server.</summary>
    public string ConnectionString => Server.ConnectionString;

    public async Task InitializeAsync() => _server = await RedisServerProcess.StartAsync().ConfigureAwait(false);

    public async Task DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync().ConfigureAwait(false);
        }
    }
}
