namespace ActiveSynth.Core.Tasks;

/// <summary>The exact solution of a family's question: its GSM8K-format answer and the difficulty the question has.</summary>
public sealed record TaskSolution(string Answer, int Difficulty);
