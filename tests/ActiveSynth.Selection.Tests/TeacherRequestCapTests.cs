using ActiveSynth.Contracts.V1;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Selection.Options;

namespace ActiveSynth.Selection.Tests;

/// <summary>The completion cap the budget reservation assumes is the cap the teacher is asked to honour.</summary>
public sealed class TeacherRequestCapTests
{
    private static readonly SelectionOptions Options = new() { ReservationPromptTokens = 1000, DefaultMaxCompletionTokens = 300 };

    [Fact]
    public void A_spec_without_a_completion_cap_sends_the_one_its_reservation_assumed()
    {
        var spec = new RunSpec { Teacher = new TeacherSpec { Kind = TeacherKind.Openai, Model = "m" } };

        var teacher = RunPlan.TeacherForRequests(spec, Options);

        Assert.Equal(300, teacher.MaxCompletionTokens);
        Assert.Equal("m", teacher.Model);
        Assert.Equal(2 * (1000 + 300), RunPlan.Reservation(spec, Options).TeacherTokens);
        Assert.Equal(0, spec.Teacher.MaxCompletionTokens); // the stored spec is left as the user wrote it
    }

    [Fact]
    public void A_spec_with_its_own_cap_keeps_it_and_reserves_for_it()
    {
        var spec = new RunSpec { Teacher = new TeacherSpec { MaxCompletionTokens = 64 } };

        Assert.Equal(64, RunPlan.TeacherForRequests(spec, Options).MaxCompletionTokens);
        Assert.Equal(2 * (1000 + 64), RunPlan.Reservation(spec, Options).TeacherTokens);
        Assert.Equal(300, RunPlan.TeacherForRequests(new RunSpec(), Options).MaxCompletionTokens);
    }
}
