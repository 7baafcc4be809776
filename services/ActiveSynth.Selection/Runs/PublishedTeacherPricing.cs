using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using StackExchange.Redis;

namespace ActiveSynth.Selection.Runs;

/// <summary>What the deployment's Teacher replicas charge for, as the last of them published it (null before any has).</summary>
public sealed class PublishedTeacherPricing(IConnectionMultiplexer redis)
{
    public async Task<TeacherPricing?> GetAsync()
    {
        var bytes = await redis.GetDatabase().StringGetAsync(SharedKeys.TeacherPricing).ConfigureAwait(false);
        return bytes.IsNullOrEmpty ? null : TeacherPricing.Parser.ParseFrom((byte[])bytes!);
    }
}
