using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Selection;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using Grpc.Core;
using ActiveSynth.Hosting.Security;

namespace ActiveSynth.Selection.Grpc;

/// <summary>Selector: ad-hoc selection over given signals with the same Core strategies the loop uses, and the strategy list.</summary>
[AllowRoles(DeploymentRoles.Operator, DeploymentRoles.Service)]
public sealed class SelectorApi : Contracts.V1.Selector.SelectorBase
{
    public override Task<SelectResponse> Select(SelectRequest request, ServerCallContext context) => Task.FromResult(SelectOver(request));

    public override Task<ListStrategiesResponse> ListStrategies(ListStrategiesRequest request, ServerCallContext context) =>
        Task.FromResult(Strategies());

    public static SelectResponse SelectOver(SelectRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var name = request.Strategy?.Name ?? "";
        if (!StrategyRegistry.Contains(name))
        {
            throw new InvalidRequestException("strategy.name", $"unknown strategy '{name}'; one of {string.Join(", ", StrategyRegistry.Names)}");
        }
        if (request.M <= 0)
        {
            throw new InvalidRequestException("m", $"must be > 0, got {request.M}");
        }
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < request.Candidates.Count; i++)
        {
            if (string.IsNullOrEmpty(request.Candidates[i].ItemId) || !ids.Add(request.Candidates[i].ItemId))
            {
                throw new InvalidRequestException($"candidates[{i}].item_id", "is required and must be unique");
            }
        }
        ISelectionStrategy strategy;
        try
        {
            strategy = StrategyRegistry.Create(name, request.Strategy!.Options);
        }
        catch (ArgumentException ex)
        {
            throw new InvalidRequestException("strategy.options", ex.Message.Split(" (Parameter", 2)[0]);
        }
        var candidates = request.Candidates.Select(c => c.ToCore(null)).ToList();
        IReadOnlyList<Core.Selection.Pick> picks;
        try
        {
            picks = strategy.Select(candidates, request.M, new Random(unchecked((int)(request.RandomSeed ^ (request.RandomSeed >> 32)))));
        }
        catch (ArgumentException ex)
        {
            throw new InvalidRequestException("candidates", ex.Message.Split(" (Parameter", 2)[0]);
        }
        var response = new SelectResponse { Strategy = strategy.Name };
        response.Picks.AddRange(picks.Select((p, rank) => new Contracts.V1.Pick { ItemId = p.Id, Score = p.Score, Rank = rank }));
        return response;
    }

    public static ListStrategiesResponse Strategies()
    {
        var response = new ListStrategiesResponse();
        foreach (var info in StrategyRegistry.Strategies)
        {
            var proto = new Contracts.V1.StrategyInfo
            {
                Name = info.Name,
                Description = info.Description,
                NeedsJudge = (info.Needs & SignalNeeds.JudgeDifficulty) != 0,
                NeedsReward = (info.Needs & SignalNeeds.Reward) != 0,
            };
            proto.Signals.AddRange(info.Needs.ToContract());
            foreach (var (key, description) in info.Options)
            {
                proto.Options[key] = description;
            }
            response.Strategies.Add(proto);
        }
        return response;
    }
}
