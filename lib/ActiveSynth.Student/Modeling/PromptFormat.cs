using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Tokenization;

namespace ActiveSynth.Student.Modeling;

/// <summary>
/// How an item becomes tokens: prompt <c>Q:{question}\nA:</c>, target <c>{answer}</c> + EOS, where the answer is in
/// GSM8K format (reasoning, then <c>#### final</c>). Sequences longer than the context are cut: the prompt keeps its
/// last tokens (at most context − 1), the target loses its tail.
/// </summary>
public static class PromptFormat
{
    public static string Prompt(string question) => $"Q:{question}\nA:";

    public static int[] PromptIds(CharTokenizer tokenizer, string question, int context)
    {
        var ids = tokenizer.Encode(Prompt(question));
        return ids.Length <= context - 1 ? ids : ids[^(context - 1)..];
    }

    /// <summary>Prompt and target ids (target ends with EOS unless cut by the context).</summary>
    public static (int[] Prompt, int[] Target) Pair(CharTokenizer tokenizer, TaskItem item, int context) =>
        Pair(tokenizer, item.Question, tokenizer.Encode(item.Answer), appendEos: true, context);

    public static (int[] Prompt, int[] Target) Pair(CharTokenizer tokenizer, string question, int[] answerIds, bool appendEos, int context)
    {
        var prompt = PromptIds(tokenizer, question, context);
        var target = appendEos ? [.. answerIds, CharTokenizer.Eos] : answerIds;
        var room = context - prompt.Length;
        return (prompt, target.Length <= room ? target : target[..room]);
    }
}
