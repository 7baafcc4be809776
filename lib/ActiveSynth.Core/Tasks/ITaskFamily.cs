namespace ActiveSynth.Core.Tasks;

/// <summary>A procedural family of tasks with an exact verifier and a difficulty knob.</summary>
public interface ITaskFamily
{
    /// <summary>Registered name, e.g. <c>copy</c>, <c>rev</c>, <c>shift</c>, <c>arith</c>, <c>logic</c>.</summary>
    string Name { get; }

    int MinDifficulty { get; }

    int MaxDifficulty { get; }

    /// <summary>A new item of the given difficulty; deterministic for the state of <paramref name="rng"/>.</summary>
    TaskItem Generate(string id, int difficulty, Random rng);

    /// <summary>
    /// Parses <paramref name="question"/> as a question of this family and solves it exactly (reference chain of
    /// thought and final answer, and the difficulty the question has). Null when the text is not a well-formed
    /// question of this family: that is how a teacher's output is recognised as "the wrong family", and how the
    /// embedded teacher solves questions it did not write itself.
    /// </summary>
    TaskSolution? Solve(string question);

    /// <summary>Decides whether a model's output (free text ending in a final answer) answers the reference correctly.</summary>
    IAnswerGrader Grader { get; }
}
