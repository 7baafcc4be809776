using ActiveSynth.Core.Selection;
using ActiveSynth.Core.Selection.Strategies;

namespace ActiveSynth.Core.Tests.Selection;

public sealed class RandomAndIncorrectTests
{
    [Fact]
    public void Random_is_reproducible_for_a_seed_and_differs_across_seeds()
    {
        var candidates = SelectionTestData.Full(100);
        var strategy = new RandomStrategy();

        var a = strategy.Select(candidates, 20, new Random(42)).Select(p => p.Id).ToList();
        var b = strategy.Select(candidates, 20, new Random(42)).Select(p => p.Id).ToList();
        var c = strategy.Select(candidates, 20, new Random(43)).Select(p => p.Id).ToList();

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal(20, a.Distinct().Count());
    }

    [Fact]
    public void Random_does_not_depend_on_the_input_order()
    {
        var candidates = SelectionTestData.Full(60);
        var reversed = Enumerable.Reverse(candidates).ToList();

        var a = new RandomStrategy().Select(candidates, 15, new Random(5)).Select(p => p.Id);
        var b = new RandomStrategy().Select(reversed, 15, new Random(5)).Select(p => p.Id);

        Assert.Equal(a, b);
    }

    [Fact]
    public void Random_is_roughly_uniform()
    {
        var candidates = SelectionTestData.Full(20);
        var counts = candidates.ToDictionary(c => c.Id, _ => 0);
        var rng = new Random(2024);
        const int Trials = 8000;
        for (var t = 0; t < Trials; t++)
        {
            foreach (var pick in new RandomStrategy().Select(candidates, 5, rng))
            {
                counts[pick.Id]++;
            }
        }

        // Expected 8000 * 5 / 20 = 2000 per candidate; binomial std ~ 39, so ±10 % is > 5 sigma.
        Assert.All(counts.Values, n => Assert.InRange(n, 1800, 2200));
        // First position is uniform too (not just membership).
        var firsts = candidates.ToDictionary(c => c.Id, _ => 0);
        for (var t = 0; t < Trials; t++)
        {
            firsts[new RandomStrategy().Select(candidates, 5, rng)[0].Id]++;
        }
        Assert.All(firsts.Values, n => Assert.InRange(n, 280, 520));
    }

    [Fact]
    public void Incorrect_puts_every_wrong_answer_first_then_fills_with_correct_ones()
    {
        var candidates = SelectionTestData.Full(30);
        var wrong = candidates.Where(c => c.Correct == false).Select(c => c.Id).ToHashSet();
        Assert.InRange(wrong.Count, 5, 25);

        var picks = new IncorrectStrategy().Select(candidates, wrong.Count + 3, new Random(3));

        Assert.Equal(wrong, picks.Take(wrong.Count).Select(p => p.Id).ToHashSet());
        Assert.All(picks.Take(wrong.Count), p => Assert.Equal(1.0, p.Score));
        Assert.All(picks.Skip(wrong.Count), p => Assert.DoesNotContain(p.Id, wrong));
        Assert.All(picks.Skip(wrong.Count), p => Assert.Equal(0.0, p.Score));
        Assert.Equal(picks.Count, picks.Select(p => p.Id).Distinct().Count());
    }

    [Fact]
    public void Incorrect_breaks_ties_at_random_by_seed()
    {
        var candidates = Enumerable.Range(0, 40).Select(i => new CandidateSignals($"w{i:D2}", "f", 1) { Correct = false }).ToList();

        var a = new IncorrectStrategy().Select(candidates, 10, new Random(1)).Select(p => p.Id).ToList();
        var b = new IncorrectStrategy().Select(candidates, 10, new Random(1)).Select(p => p.Id).ToList();
        var c = new IncorrectStrategy().Select(candidates, 10, new Random(2)).Select(p => p.Id).ToList();

        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.NotEqual(candidates.Take(10).Select(x => x.Id), a); // not simply id order
    }
}
