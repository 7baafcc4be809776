namespace ActiveSynth.Core.Loop;

/// <summary>Wall time of one stage of one round (stage names as the contract's RunStage without prefix: SCORE, GENERATE, TRAIN, EVALUATE).</summary>
public sealed record StageTime(int Round, string Stage, double Seconds);
