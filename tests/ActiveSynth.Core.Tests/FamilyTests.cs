using ActiveSynth.Core.Tasks;
using ActiveSynth.Core.Tasks.Families;

namespace ActiveSynth.Core.Tests;

public sealed class FamilyTests
{
    private static readonly TaskFamilyRegistry Registry = TaskFamilyRegistry.Default;

    [Fact]
    public void String_families_use_the_v7_format()
    {
        Assert.Equal("r,d,w,j,r\n#### rdwjr", StringTransformFamily.Reverse.Solve("rev rjwdr")!.Answer);
        Assert.Equal("a,b,c\n#### abc", StringTransformFamily.Copy.Solve("copy abc")!.Answer);
        Assert.Equal("b,c,a\n#### bca", StringTransformFamily.Shift.Solve("shift abz")!.Answer);
        Assert.Null(StringTransformFamily.Reverse.Solve("copy abc"));
        Assert.Null(StringTransformFamily.Reverse.Solve("rev ABC"));
    }

    [Fact]
    public void Arith_logic_families_evaluate_left_to_right_step_by_step()
    {
        Assert.Equal("8+4,2\n#### 2", RunningValueFamily.Sum10.Solve("sum10 3+5+4")!.Answer);
        Assert.Equal("8+4+9,2+9,1\n#### 1", RunningValueFamily.Sum10.Solve("sum10 3+5+4+9")!.Answer);
        Assert.Equal(3, RunningValueFamily.Sum10.Solve("sum10 3+5+4+9")!.Difficulty);
        Assert.Equal("1&0=0,0|1=1,1^1=0\n#### 0", RunningValueFamily.Bool.Solve("bool 1&0|1^1")!.Answer);
        Assert.Equal(1, RunningValueFamily.Bool.Solve("bool 1&0|1^1")!.Difficulty);
        Assert.Equal(2, RunningValueFamily.Bool.Solve("bool 1&0|1^1&1|0")!.Difficulty);
        Assert.Null(RunningValueFamily.Sum10.Solve("sum10 3+12"));
        Assert.Null(RunningValueFamily.Bool.Solve("bool 1&2"));
        Assert.Null(RunningValueFamily.Bool.Solve("bool 1+0"));
        Assert.Null(RunningValueFamily.Bool.Solve("sum10 1+0"));
        Assert.Null(RunningValueFamily.Sum10.Solve("sum10 3+"));
        Assert.Null(RunningValueFamily.Sum10.Solve("sum10 3 + 5"));
    }

    [Fact]
    public void Minmax_writes_each_step_and_keeps_the_larger_or_smaller_digit()
    {
        var family = RunningValueFamily.MinMax;
        Assert.Equal("3>5=5,5<4=4,4>4=4\n#### 4", family.Solve("minmax 3>5<4>4")!.Answer);
        Assert.Equal("9<0=0,0>7=7,7<8=7,7>2=7,7<1=1\n#### 1", family.Solve("minmax 9<0>7<8>2<1")!.Answer);
        Assert.Equal(1, family.Solve("minmax 3>5<4>4")!.Difficulty);
        Assert.Equal(2, family.Solve("minmax 9<0>7<8>2<1")!.Difficulty);
        Assert.Null(family.Solve("minmax 3+5<4>4"));
        Assert.Null(family.Solve("minmax 3>12"));
        Assert.Null(family.Solve("bool 1&0|1^1"));
        Assert.True(family.Grader.IsCorrect("1>0=1\n#### 7", family.Solve("minmax 9<0>7<8")!.Answer));
    }

    [Fact]
    public void Step10_moves_a_digit_by_one_to_three_modulo_10()
    {
        var family = RunningValueFamily.Step10;
        Assert.Equal("3+2=5,5-1=4,4+3=7\n#### 7", family.Solve("step10 3+2-1+3")!.Answer);
        Assert.Equal("9+3=2,2-2=0,0-1=9\n#### 9", family.Solve("step10 9+3-2-1")!.Answer);
        Assert.Equal(1, family.Solve("step10 9+3-2-1")!.Difficulty);
        Assert.Null(family.Solve("step10 3+4-1+1"));
        Assert.Null(family.Solve("step10 3+0-1+1"));
        Assert.Null(family.Solve("step10 3*2-1+1"));
        Assert.True(family.Grader.IsCorrect("#### 9", family.Solve("step10 9+3-2-1")!.Answer));
    }

    [Theory]
    [InlineData("minmax", 80_000)]
    [InlineData("step10", 2_160)]
    public void Arith_logic_d1_cells_have_enough_distinct_questions_for_a_pool_and_a_test_set(string name, int possible)
    {
        // A run draws a pool of 400 and a test set of 300, disjoint and balanced over the 8 cells: about 88 per cell.
        var family = Registry.Get(name);
        var rng = new Random(5);
        var questions = Enumerable.Range(0, 4000).Select(_ => family.Generate("x", 1, rng).Question).Distinct().Count();
        Assert.InRange(questions, Math.Min(1000, possible / 2), possible);
    }

    [Theory]
    [InlineData("sum10", 1, 0)]
    [InlineData("bool", 2, 1)]
    [InlineData("minmax", 2, 1)]
    [InlineData("step10", 2, 1)]
    public void Arith_logic_ladder_adds_operators_per_difficulty_and_fits_the_students_context(string name, int perDifficulty, int offset)
    {
        var family = Registry.Get(name);
        var rng = new Random(3);
        for (var d = 1; d <= 4; d++)
        {
            for (var i = 0; i < 50; i++)
            {
                var item = family.Generate("x", d, rng);
                Assert.Equal(perDifficulty * d + offset, item.Question.Split(' ')[1].Length / 2);
                Assert.True(item.Question.Length + 1 + item.Answer.Length <= 96, "question + answer must fit 96 chars");
            }
        }
    }

    [Fact]
    public void The_arith_logic_benchmark_has_distinct_questions_for_a_pool_of_400_and_a_test_set_of_300()
    {
        var families = TaskFamilyRegistry.ArithLogicBenchmarkFamilies.Select(Registry.Get).ToList();
        var pool = TaskSetGenerator.Generate(families, 1, 4, 400, 17, "seed");
        var test = TaskSetGenerator.Generate(families, 1, 4, 300, 18, "test", pool.Select(p => p.Question).ToHashSet());

        Assert.Equal(700, pool.Concat(test).Select(i => i.Question).Distinct().Count());
    }

    [Theory]
    [InlineData("swap abcde", "b,a,d,c,e\n#### badce")]
    [InlineData("swap abcdef", "b,a,d,c,f,e\n#### badcfe")]
    [InlineData("back bcaz", "a,b,z,y\n#### abzy")]
    [InlineData("rot abcde", "b,c,d,e,a\n#### bcdea")]
    public void The_letters_benchmarks_transforms_answer_letter_by_letter(string question, string answer)
    {
        var name = question.Split(' ')[0];
        Assert.Equal(answer, Registry.Get(name).Solve(question)!.Answer);
    }

    [Theory]
    [InlineData("copy")]
    [InlineData("rev")]
    [InlineData("shift")]
    [InlineData("swap")]
    [InlineData("back")]
    [InlineData("rot")]
    public void String_family_length_ladder_is_2d_plus_1_and_fits_the_students_context(string name)
    {
        var family = Registry.Get(name);
        var rng = new Random(1);
        for (var d = 1; d <= 4; d++)
        {
            var item = family.Generate("x", d, rng);
            var word = item.Question.Split(' ')[1];
            Assert.Equal((2 * d) + 1, word.Length);
            Assert.True(item.Question.Length + 1 + item.Answer.Length <= 96, "question + answer must fit 96 chars");
            Assert.Equal(d, family.Solve(item.Question)!.Difficulty);
            Assert.True(family.Grader.IsCorrect(item.Answer, item.Answer));
        }
    }

    [Theory]
    [InlineData("copy")]
    [InlineData("rev")]
    [InlineData("shift")]
    [InlineData("swap")]
    [InlineData("back")]
    [InlineData("rot")]
    [InlineData("arith")]
    [InlineData("logic")]
    [InlineData("list")]
    [InlineData("sum10")]
    [InlineData("bool")]
    [InlineData("minmax")]
    [InlineData("step10")]
    public void Every_family_generates_solvable_gsm8k_items_at_every_difficulty(string name)
    {
        var family = Registry.Get(name);
        var rng = new Random(42);
        for (var d = family.MinDifficulty; d <= family.MaxDifficulty; d++)
        {
            for (var i = 0; i < 20; i++)
            {
                var item = family.Generate($"id{i}", d, rng);
                Assert.Equal(name, item.Family);
                Assert.Equal(d, item.Difficulty);
                Assert.Contains("\n#### ", "\n" + item.Answer, StringComparison.Ordinal);
                var solved = family.Solve(item.Question);
                Assert.NotNull(solved);
                Assert.Equal(item.Answer, solved.Answer);
                Assert.Equal(d, solved.Difficulty);
                Assert.NotNull(family.Grader.ExtractFinalAnswer(item.Answer));
            }
        }
    }

    [Fact]
    public void Arithmetic_has_one_to_eight_steps_with_a_reasoning_line_each()
    {
        Assert.Equal(1, ArithmeticFamily.Instance.MinDifficulty);
        Assert.Equal(8, ArithmeticFamily.Instance.MaxDifficulty);
        var solved = ArithmeticFamily.Instance.Solve("Mia has 7 pens. Mia gets 5 more. Mia doubles them. Mia gives away 4. How many pens does Mia have now?");
        Assert.Equal("7 + 5 = 12\n12 * 2 = 24\n24 - 4 = 20\n#### 20", solved!.Answer);
        Assert.Equal(3, solved.Difficulty);
        Assert.Null(ArithmeticFamily.Instance.Solve("Mia has 7 pens. How many pens does Mia have now?"));
    }

    [Fact]
    public void Logic_answers_true_and_false_through_the_chain()
    {
        var t = LogicFamily.Instance.Solve("Every wumpus is a yumpus. Every yumpus is a zumpus. Max is a wumpus. True or false: Max is a zumpus.");
        Assert.Equal("Max is a wumpus.\nEvery wumpus is a yumpus, so Max is a yumpus.\nEvery yumpus is a zumpus, so Max is a zumpus.\n#### true", t!.Answer);
        var f = LogicFamily.Instance.Solve("Every yumpus is not a zumpus. Every wumpus is a yumpus. Max is a wumpus. True or false: Max is a zumpus.");
        Assert.EndsWith("#### false", f!.Answer, StringComparison.Ordinal);
        Assert.Equal(2, f.Difficulty);
        var answers = Enumerable.Range(0, 200).Select(i => LogicFamily.Instance.Generate("x", 3, new Random(i)).Answer[^5..]).ToList();
        Assert.InRange(answers.Count(a => a.EndsWith("true", StringComparison.Ordinal)), 60, 140);
    }

    [Fact]
    public void List_family_reduces_to_a_number()
    {
        var solved = ListFamily.Instance.Solve("list 3 8 1 5: sort, drop 1, sum");
        Assert.Equal("sort: 1 3 5 8\ndrop 1: 3 5 8\nsum: 16\n#### 16", solved!.Answer);
        Assert.Equal(3, solved.Difficulty);
    }

    [Fact]
    public void Generation_is_deterministic_for_a_seed()
    {
        var a = TaskSetGenerator.Generate([.. Registry.Families], 1, 8, 60, 7, "s");
        var b = TaskSetGenerator.Generate([.. Registry.Families], 1, 8, 60, 7, "s");
        var c = TaskSetGenerator.Generate([.. Registry.Families], 1, 8, 60, 8, "s");
        Assert.Equal(a, b);
        Assert.NotEqual(a.Select(i => i.Question), c.Select(i => i.Question));
    }

    [Fact]
    public void Seed_and_test_sets_are_balanced_and_disjoint()
    {
        var families = TaskFamilyRegistry.EmbeddedBenchmarkFamilies.Select(Registry.Get).ToList();
        var seeds = TaskSetGenerator.Generate(families, 1, 4, 400, 0, "seed");
        var test = TaskSetGenerator.Generate(families, 1, 4, 300, 1, "test", seeds.Select(s => s.Question).ToHashSet());
        Assert.Equal(400, seeds.Count);
        var cells = test.GroupBy(i => (i.Family, i.Difficulty)).ToList();
        Assert.Equal(12, cells.Count);
        Assert.All(cells, c => Assert.Equal(25, c.Count()));
        Assert.All(seeds.GroupBy(i => (i.Family, i.Difficulty)), c => Assert.InRange(c.Count(), 33, 34));
        Assert.Empty(test.Select(t => t.Question).Intersect(seeds.Select(s => s.Question)));
        Assert.Equal(seeds.Count, seeds.Select(s => s.Id).Distinct().Count());
        Assert.DoesNotContain(seeds, s => s.Id.Contains('/', StringComparison.Ordinal));
    }

    [Fact]
    public void Difficulty_range_is_clipped_per_family()
    {
        var items = TaskSetGenerator.Generate([Registry.Get("rev"), Registry.Get("arith")], 3, 8, 40, 0, "x");
        Assert.All(items.Where(i => i.Family == "rev"), i => Assert.InRange(i.Difficulty, 3, 4));
        Assert.Contains(items, i => i.Family == "arith" && i.Difficulty == 8);
    }

    [Fact]
    public void Procedural_teacher_keeps_family_and_moves_difficulty_with_probability_one_tenth()
    {
        var rng = new Random(3);
        var family = Registry.Get("rev");
        var moved = 0;
        for (var i = 0; i < 2000; i++)
        {
            var item = ProceduralTeacher.Like(family, 2, "x", rng);
            Assert.Equal("rev", item.Family);
            Assert.InRange(item.Difficulty, 1, 3);
            moved += item.Difficulty != 2 ? 1 : 0;
        }
        Assert.InRange(moved / 2000.0, 0.07, 0.13);
        Assert.All(Enumerable.Range(0, 50), _ => Assert.InRange(ProceduralTeacher.Like(family, 4, "x", rng).Difficulty, 3, 4));
    }

    [Fact]
    public void Registry_resolves_names_and_aliases_and_rejects_unknown_ones()
    {
        Assert.Same(Registry.Get("rev"), Registry.Get("reverse"));
        Assert.Same(Registry.Get("arith"), Registry.Get("arithmetic"));
        var e = Assert.Throws<KeyNotFoundException>(() => Registry.Get("poetry"));
        Assert.Contains("copy", e.Message, StringComparison.Ordinal);
        Assert.Equal(["copy", "rev", "shift", "swap", "back", "rot", "arith", "logic", "list", "sum10", "bool", "minmax", "step10"], Registry.Names);
        Assert.NotNull(Registry.GraderFor("gsm8k"));
    }
}
