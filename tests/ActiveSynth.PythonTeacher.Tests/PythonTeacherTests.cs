using ActiveSynth.Contracts.V1;
using ActiveSynth.Testing;

namespace ActiveSynth.PythonTeacher.Tests;

/// <summary>
/// services/python-teacher/worker.py, a second implementation of the Teacher worker kind, checked as a real process against a
/// real redis-server and the OpenAI-compatible FakeOpenAiServer, through the streams only (<see cref="TeacherChecks"/>). Each test
/// gets its own redis-server, since the stream names are the contract's and cannot be made unique per test.
/// </summary>
public sealed class PythonTeacherTests : IAsyncLifetime
{
    private RedisServerProcess _redis = null!;
    private FakeOpenAiServer _endpoint = null!;
    private TeacherStreams _streams = null!;
    private readonly List<PythonTeacherProcess> _workers = [];

    public async Task InitializeAsync()
    {
        _redis = await RedisServerProcess.StartAsync();
        _endpoint = await FakeOpenAiServer.StartAsync();
        _streams = await TeacherStreams.StartAsync(_redis.ConnectionString);
    }

    public async Task DisposeAsync()
    {
        foreach (var worker in _workers)
        {
            await worker.DisposeAsync();
        }
        await _streams.DisposeAsync();
        await _endpoint.DisposeAsync();
        await _redis.DisposeAsync();
    }

    [Fact(Timeout = 60_000)]
    public async Task Answers_a_chunk_with_valid_samples_and_the_endpoints_usage_without_logging_the_key()
    {
        var worker = await StartWorkerAsync();
        await TeacherChecks.AnswersAChunkWithValidSamplesAsync(_streams, _endpoint);
        TeacherChecks.NeverLogsTheKey(worker, _endpoint);
    }

    [Fact(Timeout = 60_000)]
    public async Task Logs_its_endpoint_without_the_user_and_password_in_the_url()
    {
        var endpoint = _endpoint.Endpoint;
        var credentialed = $"Endpoint={endpoint.Scheme}://alice:pw-in-url@{endpoint.Authority}{endpoint.AbsolutePath};Key={_endpoint.Key};Model={_endpoint.Model}";

        var worker = await PythonTeacherProcess.StartAsync(_redis.ConnectionString, credentialed, null);
        _workers.Add(worker);

        Assert.Contains($"teacher endpoint Endpoint={endpoint.Scheme}://{endpoint.Authority};Model={_endpoint.Model}", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("alice", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("pw-in-url", worker.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(_endpoint.Key, worker.Output, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Serves_only_the_models_it_is_configured_for_and_drops_another_naming_it()
    {
        await StartWorkerAsync(new Dictionary<string, string?> { ["Teacher__AllowedModels__0"] = "gpt-4o-mini", ["Teacher__MaxCompletionTokens"] = "128" });
        const string run = "run-models";
        var chunk = TeacherStreams.Chunk(run, 1, 3, TeacherKind.Openai);
        chunk.Requests[1].Teacher.Model = "gpt-4.5-preview";
        chunk.Requests[2].Teacher.Model = "gpt-4o-mini";

        var result = await _streams.RequestAsync(chunk, TeacherStreams.ChunkId(run, 1, 3));

        Assert.Equal(GenerateResult.OutcomeOneofCase.Sample, result.Results[0].OutcomeCase);
        Assert.Equal(DropReason.TeacherError, result.Results[1].Drop.Reason);
        Assert.StartsWith($"teacher.model: 'gpt-4.5-preview' is not a model this teacher may use; allowed: gpt-4o-mini, embedded-teacher, {_endpoint.Model}",
            result.Results[1].Drop.Detail, StringComparison.Ordinal);
        Assert.Equal(0, result.Results[1].Usage.Calls);
        // The listed model is asked of the endpoint; the other never is.
        Assert.Contains("gpt-4o-mini", _endpoint.RequestedModels.Keys);
        Assert.DoesNotContain("gpt-4.5-preview", _endpoint.RequestedModels.Keys);
    }

    [Fact(Timeout = 60_000)]
    public async Task Drops_embedded_kind_requests_with_a_reason()
    {
        await StartWorkerAsync();
        await TeacherChecks.DropsWhatItCannotServeWithAReasonAsync(_streams, _endpoint);
    }

    [Fact(Timeout = 60_000)]
    public async Task Answers_a_republished_request_once_and_honours_the_reply_marker()
    {
        await StartWorkerAsync();
        await TeacherChecks.AnswersARepublishedRequestOnceAsync(_streams, _endpoint);
        await TeacherChecks.HonoursTheReplyMarkerOfAnyReplicaAsync(_streams, _endpoint);
    }

    [Fact(Timeout = 60_000)]
    public async Task Claims_a_dead_consumers_entries_and_dead_letters_exhausted_ones() =>
        await TeacherChecks.ClaimsDeadConsumersEntriesAsync(_streams, StartWorkerAsync);

    [Fact(Timeout = 60_000)]
    public async Task Dead_letters_poison_with_a_reason()
    {
        await StartWorkerAsync();
        await TeacherChecks.DeadLettersPoisonWithAReasonAsync(_streams);
    }

    [Fact(Timeout = 60_000)]
    public async Task Continues_the_trace_context()
    {
        await StartWorkerAsync();
        await TeacherChecks.ContinuesTheTraceContextAsync(_streams);
    }

    [Fact(Timeout = 60_000)]
    public async Task Answers_the_probe_as_kind_teacher()
    {
        await StartWorkerAsync();
        await TeacherChecks.AnswersTheProbeAsync(_streams);
    }

    [Fact(Timeout = 90_000)]
    public async Task Sigterm_finishes_the_work_in_flight_and_leaves_new_work_for_the_next_replica() =>
        await TeacherChecks.FinishesWhatItHoldsOnSigtermAsync(_streams, _endpoint, StartWorkerAsync);

    [Fact(Timeout = 90_000)]
    public async Task Sigterm_hands_back_what_it_cannot_finish_within_the_grace_time() =>
        await TeacherChecks.HandsBackWhatItCannotFinishOnSigtermAsync(_streams, _endpoint, StartWorkerAsync);

    [Fact(Timeout = 60_000)]
    public async Task Retries_and_classifies_endpoint_failures_like_the_dotnet_teacher()
    {
        await StartWorkerAsync();
        await TeacherChecks.RetriesAndClassifiesEndpointFailuresAsync(_streams, _endpoint);
    }

    [Fact(Timeout = 90_000)]
    public async Task Keeps_answering_after_a_redis_restart()
    {
        var worker = await StartWorkerAsync();
        await TeacherChecks.SurvivesARedisRestartAsync(_streams, _redis);
        Assert.False(worker.HasExited, worker.Output);
    }

    private async Task<PythonTeacherProcess> StartWorkerAsync(IReadOnlyDictionary<string, string?>? settings = null)
    {
        var worker = await PythonTeacherProcess.StartAsync(_redis.ConnectionString, _endpoint.ConnectionString, settings);
        _workers.Add(worker);
        return worker;
    }
}
