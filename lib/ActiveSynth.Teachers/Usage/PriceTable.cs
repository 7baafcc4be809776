namespace ActiveSynth.Teachers.Usage;

/// <summary>
/// Configured prices per model (model id → price). The entry "*" applies to models without their own entry;
/// without it such models cost 0 (the embedded teacher, local endpoints).
/// </summary>
public sealed class PriceTable(IReadOnlyDictionary<string, ModelPrice>? prices = null)
{
    public const string Fallback = "*";

    private readonly IReadOnlyDictionary<string, ModelPrice> _prices = prices ?? new Dictionary<string, ModelPrice>();

    public static PriceTable Free { get; } = new();

    public ModelPrice? Find(string? model) =>
        model is not null && _prices.TryGetValue(model, out var price) ? price : _prices.GetValueOrDefault(Fallback);

    /// <summary>Models with a positive price (<see cref="Fallback"/> among them when it has one): those a cost limit binds for.</summary>
    public IReadOnlyList<string> PricedModels =>
        [.. _prices.Where(p => p.Value.PromptPer1K > 0 || p.Value.CompletionPer1K > 0).Select(p => p.Key).Order(StringComparer.Ordinal)];

    public double Cost(string? model, long promptTokens, long completionTokens) => Find(model)?.Cost(promptTokens, completionTokens) ?? 0;
}
