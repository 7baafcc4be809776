using ActiveSynth.Core.Tasks;
using ActiveSynth.Core.Tasks.Graders;
using ActiveSynth.Student.Grading;

namespace ActiveSynth.Student.Tests;

/// <summary>Scoring and evaluation grade each item by its family, imported families (gsm8k, text) included.</summary>
public sealed class GraderLookupTests
{
    [Fact]
    public void The_registry_lookup_grades_imported_gsm8k_items_as_numbers()
    {
        var lookup = new GraderLookup(TaskFamilyRegistry.Default);

        Assert.Same(Gsm8kAnswerGrader.Instance, lookup.For("gsm8k"));
        Assert.Same(TextAnswerGrader.Instance, lookup.For("text"));
        Assert.Same(TaskFamilyRegistry.Default.Get("rev").Grader, lookup.For("rev"));
        Assert.Same(FinalAnswerGrader.Instance, lookup.For("sonnets"));
        Assert.True(lookup.For("gsm8k").IsCorrect("so 72 in all\n#### 72.0", "48+24 = <<48+24=72>>72\n#### 72"));
        Assert.True(lookup.For("gsm8k").IsCorrect("#### $1,200", "#### 1200"));
    }

    [Fact]
    public void A_lookup_of_the_procedural_families_alone_would_compare_gsm8k_answers_as_raw_text()
    {
        // Why the services build the lookup from the registry: the fallback compares "72.0" and "72" as strings.
        var proceduralOnly = new GraderLookup(TaskFamilyRegistry.Default.Families);

        Assert.Same(FinalAnswerGrader.Instance, proceduralOnly.For("gsm8k"));
        Assert.False(proceduralOnly.For("gsm8k").IsCorrect("#### 72.0", "#### 72"));
    }
}
