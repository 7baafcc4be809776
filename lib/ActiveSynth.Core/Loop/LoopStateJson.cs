using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActiveSynth.Core.Loop;

/// <summary>The one JSON form of <see cref="LoopState"/>: what run stores persist and reload.</summary>
public static class LoopStateJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // NaN train loss of round 0
    };

    public static string Serialize(LoopState state) => JsonSerializer.Serialize(state, Options);

    public static LoopState Deserialize(string json) =>
        JsonSerializer.Deserialize<LoopState>(json, Options) ?? throw new JsonException("Run state JSON is null.");
}
