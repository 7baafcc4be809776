namespace ActiveSynth.Messaging;

/// <summary>The Redis connection string, read from <c>ConnectionStrings:&lt;name&gt;</c> (Aspire's WithReference sets it).</summary>
internal sealed class RedisConnectionOptions
{
    public string? ConnectionString { get; set; }
}
