namespace ActiveSynth.Teachers.Usage;

/// <summary>Price of a model in US dollars per 1,000 tokens.</summary>
public sealed class ModelPrice
{
    public double PromptPer1K { get; set; }

    public double CompletionPer1K { get; set; }

    public double Cost(long promptTokens, long completionTokens) =>
        (promptTokens * PromptPer1K / 1000.0) + (completionTokens * CompletionPer1K / 1000.0);
}
