namespace ActiveSynth.Selection.Grpc;

/// <summary>
/// Selector.Select over given signals. The strategies arrive with issue 7; until then the generated base
/// answers <c>Unimplemented</c>.
/// </summary>
public sealed class SelectorApi : Contracts.V1.Selector.SelectorBase;
