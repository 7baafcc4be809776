using System.Text.Json;
using System.Text.Json.Serialization;

namespace ActiveSynth.Core.Loop;

/// <summary>The one JSON form of <see cref="RunState"/>: what run stores persist and reload.</summary>
public static class RunStateJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter() },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals, // NaN train loss of round 0
    };

    public static string Serialize(RunState state) => JsonSerializer.Serialize(state, Options);

    public static RunState Deserialize(string json) =>
        JsonSerializer.Deserialize<RunState>(json, Options) ?? throw new JsonException("Run state JSON is null.");
}
