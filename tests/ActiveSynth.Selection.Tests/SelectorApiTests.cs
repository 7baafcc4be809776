using Google.Rpc;
using ActiveSynth.Engine.Work;
using ActiveSynth.Hosting.Grpc;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Selection.Grpc;
using Grpc.Core;

namespace ActiveSynth.Selection.Tests;

public sealed class SelectorApiTests
{
    private static SelectRequest Request(string strategy, int m)
    {
        var request = new SelectRequest { Strategy = new StrategySpec { Name = strategy }, M = m, RandomSeed = 7 };
        for (var i = 0; i < 10; i++)
        {
            request.Candidates.Add(new ScoreSignals { ItemId = $"c{i}", OwnAnswerMeanNll = i * 0.1, Family = i % 2 == 0 ? "copy" : "rev" });
        }
        return request;
    }

    [Fact]
    public void Loss_high_picks_the_highest_losses_in_order()
    {
        var response = SelectorApi.SelectOver(Request("loss-high", 3));

        Assert.Equal("loss-high", response.Strategy);
        Assert.Equal(["c9", "c8", "c7"], response.Picks.Select(p => p.ItemId));
        Assert.Equal([0, 1, 2], response.Picks.Select(p => p.Rank));
    }

    [Fact]
    public void Random_is_reproducible_for_a_seed()
    {
        var a = SelectorApi.SelectOver(Request("random", 4));
        var b = SelectorApi.SelectOver(Request("random", 4));

        Assert.Equal(a.Picks, b.Picks);
    }

    [Theory]
    [InlineData("nope", 3, "strategy.name")]
    [InlineData("loss-high", 0, "m")]
    [InlineData("entropy", 3, "candidates")]
    public void Bad_input_is_invalid_argument_naming_the_field(string strategy, int m, string field)
    {
        var ex = Assert.Throws<InvalidRequestException>(() => SelectorApi.SelectOver(Request(strategy, m)));
        Assert.True(new RpcExceptionMap([]).TryMap(ex, out var refusal));
        var rpc = refusal.ToRpcException();

        Assert.Equal(StatusCode.InvalidArgument, rpc.StatusCode);
        Assert.StartsWith(field + ":", rpc.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(field, Assert.Single(rpc.GetRpcStatus()!.GetDetail<BadRequest>()!.FieldViolations).Field);
    }

    [Fact]
    public void Strategies_list_every_registered_one_with_its_signals()
    {
        var list = SelectorApi.Strategies().Strategies;

        var lossHigh = Assert.Single(list, s => s.Name == "loss-high");
        Assert.Equal([SignalKind.OwnAnswerNll], lossHigh.Signals);
        Assert.True(Assert.Single(list, s => s.Name == "judge-hard").NeedsJudge);
        Assert.Contains("hard_ratio", Assert.Single(list, s => s.Name == "lion").Options.Keys);
        Assert.Equal(Core.Selection.StrategyRegistry.Names.Count, list.Count);
    }
}
