using System.ComponentModel.DataAnnotations;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Students;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Student.Modeling;
using ActiveSynth.Workers.Training;

namespace ActiveSynth.Training.Tests;

/// <summary>
/// StartRun's shape limits are the Training service's: at each limit both accept, one past it both refuse, so no run is accepted
/// that every Training replica would then fail (<see cref="EmbeddedStudentShapeLimits"/>, one definition for both).
/// </summary>
public sealed class ShapeLimitTests
{
    public static TheoryData<string, int, bool> Shapes => new()
    {
        { "layers", EmbeddedStudentShapeLimits.MaxLayers, true },
        { "layers", EmbeddedStudentShapeLimits.MaxLayers + 1, false },
        { "heads", EmbeddedStudentShapeLimits.MaxHeads, true },
        { "heads", EmbeddedStudentShapeLimits.MaxHeads + 1, false },
        { "d_model", EmbeddedStudentShapeLimits.MaxDModel, true },
        { "d_model", EmbeddedStudentShapeLimits.MaxDModel + 1, false },
        { "d_model", EmbeddedStudentShapeLimits.MinDModel - 1, false },
        { "context_length", EmbeddedStudentShapeLimits.MaxContext, true },
        { "context_length", EmbeddedStudentShapeLimits.MaxContext + 1, false },
        { "context_length", EmbeddedStudentShapeLimits.MinContext - 1, false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void The_spec_validator_and_the_trainer_agree_on_every_shape_limit(string field, int value, bool accepted)
    {
        var spec = DefaultRunSpec.Create();
        // heads = 1 divides every d_model, so only the field under test can be refused.
        spec.Student = new StudentSpec { Kind = StudentKind.Embedded, Heads = field == "heads" ? value : 1 };
        var config = new StudentModelConfig { Heads = field == "heads" ? value : 1, DModel = field == "heads" ? value * 8 : 128 };
        var options = new TrainingServiceOptions { Heads = config.Heads, DModel = config.DModel };
        switch (field)
        {
            case "layers": spec.Student.Layers = value; config = config with { Layers = value }; options.Layers = value; break;
            case "d_model": spec.Student.DModel = value; config = config with { DModel = value }; options.DModel = value; break;
            case "context_length": spec.Student.ContextLength = value; config = config with { Context = value }; options.Context = value; break;
        }
        if (field == "heads")
        {
            spec.Student.DModel = config.DModel;
        }

        var specErrors = RunSpecValidator.Validate(spec, new RunPlanOptions()).Where(e => e.Field.StartsWith("spec.student", StringComparison.Ordinal)).ToList();
        var modelAccepted = Accepts(config.Validate);
        var optionsAccepted = Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true);

        Assert.Equal(accepted, specErrors.Count == 0);
        Assert.Equal(accepted, modelAccepted);
        Assert.Equal(accepted, optionsAccepted);
        if (!accepted)
        {
            Assert.Equal($"spec.student.{field}", Assert.Single(specErrors).Field);
        }
    }

    private static bool Accepts(Action validate)
    {
        try
        {
            validate();
            return true;
        }
        catch (ValidationException)
        {
            return false;
        }
    }
}
