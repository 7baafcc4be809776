using ActiveSynth.Contracts;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using Google.Protobuf;

namespace ActiveSynth.Conformance;

/// <summary>
/// Teacher: a chunk of two generations (from <paramref name="teacher"/>) → one result per request in order, each a sample or a
/// drop with a reason, and at least one sample (a worker that drops everything does not do the job).
/// </summary>
public sealed class TeacherContract(TeacherKind teacher) : WorkerKindContract
{
    public override string Kind => ConsumerGroups.Teacher;

    public override string RequestStream => Streams.GenerateRequests;

    public override string ResultStream => Streams.GenerateResults;

    public override string RequestType => GenerateChunk.Descriptor.FullName;

    public override Task<IMessage> ValidRequestAsync(string runId, string requestId, CancellationToken ct)
    {
        var chunk = new GenerateChunk { RunId = runId, Round = 1 };
        var rng = new Random(5);
        string[] families = ["copy", "rev"];
        for (var slot = 0; slot < families.Length; slot++)
        {
            var seed = TaskFamilyRegistry.Default.Get(families[slot]).Generate($"seed-{slot}", 1 + slot, rng);
            chunk.Requests.Add(new GenerateRequest
            {
                RunId = runId,
                Round = 1,
                Seed = seed.ToContract(),
                Attempt = 1,
                CallKind = TeacherCallKind.QuestionAndSolution,
                Reserved = new BudgetReservation { ReservationId = $"{requestId}#{slot}", TeacherCalls = 2, TeacherTokens = 4000 },
                Teacher = new TeacherSpec { Kind = teacher },
                Slot = slot,
                Lineage = new SampleLineage { RunId = runId, Round = 1, SeedId = seed.Id, Strategy = "conformance", Slot = slot, Attempt = 1 },
                SampleId = $"{runId}-s{slot}",
                SkipDuplicateCheck = true,
            });
        }
        return Task.FromResult<IMessage>(chunk);
    }

    public override string? Check(IMessage request, byte[] payload)
    {
        var chunk = (GenerateChunk)request;
        var result = GenerateChunkResult.Parser.ParseFrom(payload);
        if (result.Results.Count != chunk.Requests.Count)
        {
            return $"{result.Results.Count} results for {chunk.Requests.Count} requests";
        }
        for (var i = 0; i < chunk.Requests.Count; i++)
        {
            var one = result.Results[i];
            if (one.Slot != chunk.Requests[i].Slot)
            {
                return $"result {i} is for slot {one.Slot}, not {chunk.Requests[i].Slot} (results must be in the chunk's order)";
            }
            var problem = one.OutcomeCase switch
            {
                GenerateResult.OutcomeOneofCase.Sample when string.IsNullOrWhiteSpace(one.Sample.Question) || string.IsNullOrWhiteSpace(one.Sample.Answer) =>
                    "a sample without question or answer",
                GenerateResult.OutcomeOneofCase.Drop when one.Drop.Reason == DropReason.Unspecified => "a drop without a reason",
                GenerateResult.OutcomeOneofCase.None => "neither a sample nor a drop",
                _ => null,
            };
            if (problem is not null)
            {
                return $"slot {one.Slot}: {problem}";
            }
        }
        return result.Results.Any(r => r.OutcomeCase == GenerateResult.OutcomeOneofCase.Sample)
            ? null
            : $"no sample, only drops: {string.Join("; ", result.Results.Select(r => $"{r.Drop.Reason} {r.Drop.Detail}"))}";
    }

    public override ByteString Effect(byte[] payload)
    {
        var result = GenerateChunkResult.Parser.ParseFrom(payload);
        var effect = new GenerateChunkResult();
        effect.Results.AddRange(result.Results.Select(r => new GenerateResult
        {
            Slot = r.Slot,
            Sample = r.Sample is { } s ? new Sample { Id = s.Id, Question = s.Question, Answer = s.Answer } : null,
            Drop = r.Drop is { } d ? new Drop { Reason = d.Reason } : null,
        }));
        return effect.ToByteString();
    }
}
