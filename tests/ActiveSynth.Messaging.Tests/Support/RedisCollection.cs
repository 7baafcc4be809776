using ActiveSynth.Testing;

namespace ActiveSynth.Messaging.Tests.Support;

/// <summary>All Redis tests share one server and run one after another (2 cores: timings stay honest).</summary>
[CollectionDefinition(Name)]
public sealed class RedisCollection : ICollectionFixture<RedisServerFixture>
{
    public const string Name = "redis";
}
