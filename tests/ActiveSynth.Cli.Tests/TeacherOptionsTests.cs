using ActiveSynth.Cli.Commands;
using ActiveSynth.Cli.Compare;
using ActiveSynth.Cli.Local;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Loop;
using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Testing;
using Google.Protobuf;
using Spectre.Console.Testing;

namespace ActiveSynth.Cli.Tests;

/// <summary>
/// <c>--teacher openai --teacher-model</c>: the spec's teacher kind and model; the endpoint and key come only from
/// ConnectionStrings:teacher, and a run in this process goes through the same OpenAI-compatible pipeline as the Teacher service.
/// </summary>
public sealed class TeacherOptionsTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("activesynth-cli-teacher-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void The_options_set_the_teacher_kind_and_model_and_keep_the_rest_of_a_spec_files_teacher()
    {
        var file = Path.Combine(_dir, "spec.json");
        var written = EmbeddedRecipe.Spec("loss-high", 2, samplesPerRound: 4, maxRounds: 1);
        written.Teacher.Temperature = 0.7;
        written.Teacher.ErrorRate = 0.2;
        File.WriteAllText(file, JsonFormatter.Default.Format(written));

        var spec = CliSpecs.Build(new RunCommand.Settings { Local = true, SpecFile = file, Teacher = "openai", TeacherModel = "gpt-4o-mini" }, null, null);

        Assert.Equal(TeacherKind.Openai, spec.Teacher.Kind);
        Assert.Equal("gpt-4o-mini", spec.Teacher.Model);
        Assert.Equal(0.7, spec.Teacher.Temperature);
        Assert.Equal(0, spec.Teacher.ErrorRate); // embedded-only
        Assert.Equal(TeacherKind.Embedded, CliSpecs.Build(new RunCommand.Settings { Local = true }, null, null).Teacher.Kind);
        Assert.Equal(TeacherKind.Openai, CliSpecs.Build(new CompareCommand.Settings { Teacher = "openai" }, "random", 0).Teacher.Kind);
    }

    public static TheoryData<string[], string> BadTeachers => new()
    {
        { ["run", "--local", "--teacher", "claude"], "--teacher: 'claude' is not embedded or openai" },
        { ["run", "--local", "--teacher-model", "gpt-4o"], "--teacher-model needs --teacher openai" },
        { ["compare", "--teacher", "embedded", "--teacher-model", "gpt-4o"], "--teacher-model needs --teacher openai" },
        { ["run", "--local", "--teacher", "openai", "--teacher-endpoint", "https://example.com"], "teacher-endpoint" },
    };

    [Theory]
    [MemberData(nameof(BadTeachers))]
    public async Task A_bad_teacher_option_exits_with_2_naming_it(string[] args, string expected)
    {
        var console = new TestConsole();
        console.Profile.Width = 1000;

        var code = await CliApp.RunAsync([.. args, "--artifacts", Path.Combine(_dir, "a")], console);

        Assert.Equal(CliApp.BadArguments, code);
        Assert.Contains(expected, console.Output, StringComparison.Ordinal);
    }

    [Fact]
    public void An_openai_teacher_in_this_process_needs_the_endpoint_in_the_environment()
    {
        var problem = TeacherChoice.MissingEndpoint("openai", null);

        Assert.NotNull(problem);
        Assert.Contains("ConnectionStrings__teacher", problem, StringComparison.Ordinal);
        Assert.Null(TeacherChoice.MissingEndpoint("openai", "Endpoint=http://127.0.0.1:1;Key=k;Model=m"));
        var malformed = TeacherChoice.MissingEndpoint("openai", "Endpoint=ftp://x;Key=sk-secret-123;Model=m");
        Assert.NotNull(malformed);
        Assert.Contains("ConnectionStrings__teacher: The teacher connection string needs Endpoint=<absolute http(s) URL>", malformed, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-secret-123", malformed, StringComparison.Ordinal);
        Assert.Null(TeacherChoice.MissingEndpoint("embedded", null));
        Assert.Null(TeacherChoice.MissingEndpoint(null, null));
    }

    [Fact]
    public async Task A_local_run_with_an_openai_teacher_asks_the_endpoint_for_the_given_model_and_records_what_it_billed()
    {
        await using var endpoint = await FakeOpenAiServer.StartAsync(model: "configured-model");
        var settings = new RunCommand.Settings
        {
            Local = true, Teacher = "openai", TeacherModel = "chosen-model", Families = "rev", Pool = 8, Test = 4,
            SamplesPerRound = 3, Rounds = 1, TrainSteps = 2, BaseSteps = 10, Artifacts = Path.Combine(_dir, "artifacts"),
        };
        var spec = CliSpecs.Build(settings, "random", 0);
        // As ConnectionStrings__teacher from the environment would: the engine reads the same configuration key.
        using var engine = new InProcessEngine(settings.Artifacts, settings.EngineSettings().Append(new("ConnectionStrings:teacher", endpoint.ConnectionString)));

        var state = await engine.RunAsync("openai", spec, new ConsoleProgress(new TestConsole(), stages: false), CancellationToken.None);

        Assert.True(state.Status == RunStatus.Completed, state.FailureReason);
        Assert.NotEmpty(state.Samples);
        Assert.Equal(["chosen-model"], endpoint.RequestedModels.Keys);
        Assert.Equal(endpoint.Snapshot().Tokens, state.Spent.TeacherTokens);
    }
}
