using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Student.Evaluation;
using ActiveSynth.Student.Scoring;
using ActiveSynth.Student.Training;
using TorchSharp;
using Xunit.Abstractions;

namespace ActiveSynth.Student.Tests;

public sealed class LearningTests(ITestOutputHelper output)
{
    [Fact]
    public void A_tiny_model_learns_copy_d1_within_a_bounded_number_of_steps()
    {
        torch.set_num_threads(1);
        using var model = Tiny.Model(seed: 11);
        var settings = new TrainingSettings
        {
            Steps = 300, BatchSize = 32, LearningRate = 3e-3, Schedule = LearningRateSchedule.WarmupCosine, WarmupSteps = 20, Seed = 1, LossLogInterval = 25,
        };
        using var optimizer = StudentOptimizer.Create(model, settings);
        var test = StringFamily.Items(StringFamily.Copy, 1, 100, seed: 999);
        var before = StudentEvaluator.Evaluate(model, test);
        var sampler = new TrainingBatchSampler([], rng => StringFamily.Copy.Generate("x", 1, rng), 1.0, settings.BatchSize, settings.Seed);

        var report = StudentTrainer.Train(model, optimizer, settings, sampler);
        var after = StudentEvaluator.Evaluate(model, test);

        output.WriteLine($"loss curve {string.Join(" ", report.LossCurve.Select(l => l.ToString("F3")))}; {report.Duration.TotalSeconds:F1}s; " +
            $"accuracy {before.Accuracy:P0} -> {after.Accuracy:P0}");
        Assert.True(report.LossCurve[^1] < report.LossCurve[0] / 3, $"loss did not fall enough: {report.LossCurve[0]} -> {report.LossCurve[^1]}");
        Assert.Equal(0, before.Accuracy);
        // Chance of guessing 3 letters is (1/26)^3; well above it means most items right.
        Assert.True(after.Accuracy >= 0.6, $"copy d1 accuracy only {after.Accuracy:P0}");
        Assert.Equal(after.Accuracy, after.FamilyAccuracy["copy"]);
        Assert.Equal(after.Accuracy, after.CellAccuracy["copy1"]);
    }

    [Fact]
    public void An_item_trained_on_has_lower_own_answer_loss_than_a_new_one()
    {
        torch.set_num_threads(1);
        using var model = Tiny.Model(seed: 12);
        var trained = StringFamily.Items(StringFamily.Rev, 2, 16, seed: 1);
        var fresh = StringFamily.Items(StringFamily.Rev, 2, 16, seed: 2);
        var settings = new TrainingSettings { Steps = 120, BatchSize = 16, LearningRate = 3e-3, ReplayFraction = 0, Seed = 3 };
        using var optimizer = StudentOptimizer.Create(model, settings);
        StudentTrainer.Train(model, optimizer, settings, new TrainingBatchSampler(trained, null, 0, 16, 3));

        var signals = SignalNeeds.OwnNll | SignalNeeds.ReferenceNll;
        var seen = StudentScorer.Score(model, trained, signals, new ScoringSettings()).Items;
        var unseen = StudentScorer.Score(model, fresh, signals, new ScoringSettings()).Items;

        var seenOwn = seen.Average(s => s.OwnMeanNll!.Value);
        var unseenOwn = unseen.Average(s => s.OwnMeanNll!.Value);
        var seenRef = seen.Average(s => s.ReferenceMeanNll!.Value);
        var unseenRef = unseen.Average(s => s.ReferenceMeanNll!.Value);
        output.WriteLine($"own NLL trained {seenOwn:F3} vs new {unseenOwn:F3}; reference NLL trained {seenRef:F3} vs new {unseenRef:F3}");
        Assert.True(seenOwn < unseenOwn, $"own-answer NLL: trained {seenOwn} is not below new {unseenOwn}");
        Assert.True(seenRef < unseenRef, $"reference NLL: trained {seenRef} is not below new {unseenRef}");
    }

    [Fact]
    public void Training_is_deterministic_for_a_seed()
    {
        torch.set_num_threads(1);
        var data = StringFamily.Items(StringFamily.Copy, 2, 40, seed: 4);
        float[] Run()
        {
            using var model = Tiny.Model(seed: 21);
            var settings = new TrainingSettings { Steps = 8, BatchSize = 8, Seed = 9, ReplayFraction = 0.5 };
            using var optimizer = StudentOptimizer.Create(model, settings);
            var replay = StringFamily.Items(StringFamily.Copy, 1, 30, seed: 5);
            StudentTrainer.Train(model, optimizer, settings, new TrainingBatchSampler(data, TrainingBatchSampler.FromPool(replay), 0.5, 8, 9));
            return [.. model.Network.parameters().SelectMany(p => p.data<float>().ToArray())];
        }
        Assert.Equal(Run(), Run());
    }

    [Fact]
    public void The_sampler_mixes_dataset_and_replay_in_the_asked_proportion()
    {
        var data = StringFamily.Items(StringFamily.Rev, 3, 10, seed: 1);
        var replay = StringFamily.Items(StringFamily.Copy, 1, 10, seed: 2);
        var sampler = new TrainingBatchSampler(data, TrainingBatchSampler.FromPool(replay), 0.5, 32, 1);
        var batch = sampler.Next();
        Assert.Equal(32, batch.Count);
        Assert.Equal(16, batch.Count(i => i.Family == "rev"));
        // A whole pass over the dataset before any item repeats.
        Assert.Equal(10, batch.Where(i => i.Family == "rev").Take(10).Select(i => i.Id).Distinct().Count());
    }

    [Fact]
    public void The_schedule_warms_up_then_decays_to_its_floor_and_constant_stays_put()
    {
        var cosine = new TrainingSettings { Steps = 100, LearningRate = 1e-3, WarmupSteps = 10, Schedule = LearningRateSchedule.WarmupCosine };
        Assert.Equal(1e-4, cosine.LearningRateAt(0), 6);
        Assert.True(cosine.LearningRateAt(9) > cosine.LearningRateAt(0));
        Assert.True(cosine.LearningRateAt(50) < cosine.LearningRateAt(10));
        Assert.Equal(5e-5, cosine.LearningRateAt(99), 6);
        var constant = cosine with { Schedule = LearningRateSchedule.Constant };
        Assert.All(new[] { 0, 50, 99 }, s => Assert.Equal(1e-3, constant.LearningRateAt(s)));
    }

    internal static List<TaskItem> Mixed() => [.. StringFamily.Items(StringFamily.Copy, 1, 3, 1), .. StringFamily.Items(StringFamily.Rev, 2, 3, 2)];
}
