namespace ActiveSynth.Architecture.Tests;

/// <summary>The dependency rules of docs/architecture.md, checked against the project files.</summary>
public sealed class DependencyRuleTests
{
    private const string Core = "lib/ActiveSynth.Core/ActiveSynth.Core.csproj";
    private const string Student = "lib/ActiveSynth.Student/ActiveSynth.Student.csproj";
    private const string Teachers = "lib/ActiveSynth.Teachers/ActiveSynth.Teachers.csproj";
    private const string ScoringWorker = "lib/ActiveSynth.Workers.Scoring/ActiveSynth.Workers.Scoring.csproj";
    private const string TrainingWorker = "lib/ActiveSynth.Workers.Training/ActiveSynth.Workers.Training.csproj";
    private const string TeacherWorker = "lib/ActiveSynth.Workers.Teacher/ActiveSynth.Workers.Teacher.csproj";
    private const string Engine = "lib/ActiveSynth.Engine/ActiveSynth.Engine.csproj";
    private const string Reports = "lib/ActiveSynth.Reports/ActiveSynth.Reports.csproj";
    private const string Messaging = "lib/ActiveSynth.Messaging/ActiveSynth.Messaging.csproj";
    private const string Hosting = "lib/ActiveSynth.Hosting/ActiveSynth.Hosting.csproj";
    private const string Contracts = "protos/ActiveSynth.Contracts.csproj";
    private const string ServiceDefaults = "ActiveSynth.ServiceDefaults/ActiveSynth.ServiceDefaults.csproj";
    private static readonly ProjectGraph Graph = ProjectGraph.Load();

    [Fact]
    public void The_graph_holds_the_core_projects()
    {
        Assert.Contains(Core, Graph.Projects.Keys);
        Assert.Contains(Student, Graph.Projects.Keys);
        Assert.Contains(Contracts, Graph.Projects.Keys);
        Assert.Equal(4, Graph.Projects.Keys.Count(p => p.StartsWith("services/", StringComparison.Ordinal)));
    }

    [Fact]
    public void Core_depends_on_nothing_of_ours_and_on_no_infrastructure()
    {
        var core = Graph.Projects[Core];
        Assert.Empty(core.ProjectReferences);
        Assert.Empty(core.PackageReferences);
    }

    [Fact]
    public void The_engine_depends_only_on_core_and_the_contract_and_on_no_infrastructure()
    {
        var engine = Graph.Projects[Engine];
        Assert.Equal(new[] { Core, Contracts }.Order(StringComparer.Ordinal), engine.ProjectReferences.Order(StringComparer.Ordinal));
        Assert.Empty(engine.PackageReferences);
    }

    [Theory]
    [InlineData(Student)]
    [InlineData(Teachers)]
    public void Domain_libraries_depend_on_core_only(string library)
    {
        // The student and the teachers know nothing of requests, streams or the wire contract: a worker library adapts them.
        Assert.Equal([Core], Graph.Projects[library].ProjectReferences);
    }

    [Theory]
    [InlineData(ScoringWorker, Student)]
    [InlineData(TrainingWorker, Student)]
    [InlineData(TeacherWorker, Teachers)]
    public void A_worker_library_adapts_one_domain_library_to_the_engine(string worker, string domain)
    {
        Assert.Equal(new[] { Core, Engine, Contracts, domain }.Order(StringComparer.Ordinal),
            Graph.Projects[worker].ProjectReferences.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Every_worker_service_hosts_its_own_worker_library()
    {
        Assert.Contains(ScoringWorker, Graph.Projects["services/ActiveSynth.Scoring/ActiveSynth.Scoring.csproj"].ProjectReferences);
        Assert.Contains(TrainingWorker, Graph.Projects["services/ActiveSynth.Training/ActiveSynth.Training.csproj"].ProjectReferences);
        Assert.Contains(TeacherWorker, Graph.Projects["services/ActiveSynth.Teacher/ActiveSynth.Teacher.csproj"].ProjectReferences);
    }

    [Fact]
    public void Other_libraries_depend_only_on_core_the_engine_the_contract_and_their_domain_library()
    {
        // A library's own infrastructure (TorchSharp, Microsoft.Extensions.AI, Redis, ScottPlot) never reaches another library.
        // Only the service hosting library puts the engine's work on Redis streams, so it alone also references Messaging.
        string[] allowed = [Core, Engine, Contracts, Student, Teachers];
        foreach (var lib in Graph.Projects.Values.Where(p => p.Path.StartsWith("lib/", StringComparison.Ordinal) && p.Path is not (Core or Engine or Hosting)))
        {
            Assert.All(lib.ProjectReferences, r => Assert.Contains(r, allowed));
        }
    }

    [Fact]
    public void Reports_and_scottplot_reach_only_selection_and_the_cli()
    {
        // Plots are drawn where reports are written; a worker or the engine shipping a plotting library is a mistake.
        string[] allowed = ["services/ActiveSynth.Selection/", "tools/ActiveSynth.Cli/"];
        var carriers = Graph.Projects.Keys.Where(p => p == Reports || Graph.Closure(p).Contains(Reports));
        var offenders = carriers.Where(p => p != Reports && !(allowed.Any(s => p.StartsWith(s, StringComparison.Ordinal))
              || p.StartsWith("tests/", StringComparison.Ordinal)
              || p.StartsWith("benchmarks/", StringComparison.Ordinal)
              || p.StartsWith("ActiveSynth.AppHost/", StringComparison.Ordinal))); // project resources: not copied into its output
        Assert.Empty(offenders);
        var plotting = Graph.Projects.Values.Where(p => p.PackageReferences.Any(r => r.StartsWith("ScottPlot", StringComparison.OrdinalIgnoreCase))).Select(p => p.Path);
        Assert.Equal([Reports], plotting);
    }

    [Fact]
    public void The_hosting_library_composes_the_engine_with_messaging_and_nothing_else()
    {
        var hosting = Graph.Projects[Hosting];
        Assert.Equal(new[] { Contracts, Core, Engine, Messaging }.Order(StringComparer.Ordinal), hosting.ProjectReferences.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void Service_defaults_keep_only_telemetry_health_resilience_and_discovery()
    {
        // No project of ours: what a service does with Redis, streams and artifacts lives in the hosting library.
        Assert.Empty(Graph.Projects[ServiceDefaults].ProjectReferences);
    }

    [Fact]
    public void Only_the_student_library_references_torchsharp()
    {
        var offenders = Graph.Projects.Values
            .Where(p => p.Path != Student && p.PackageReferences.Any(IsTorchPackage))
            .Select(p => p.Path);
        Assert.Empty(offenders);
    }

    [Fact]
    public void Libtorch_reaches_only_the_students_consumers()
    {
        string[] allowedServices = ["services/ActiveSynth.Scoring/", "services/ActiveSynth.Training/", "lib/ActiveSynth.Workers.Scoring/", "lib/ActiveSynth.Workers.Training/"];
        var carriers = Graph.Projects.Keys.Where(p => Graph.Closure(p).Contains(Student));
        var offenders = carriers.Where(p =>
            !(allowedServices.Any(s => p.StartsWith(s, StringComparison.Ordinal))
              || p.StartsWith("tests/", StringComparison.Ordinal)
              || p.StartsWith("tools/", StringComparison.Ordinal)
              || p.StartsWith("benchmarks/", StringComparison.Ordinal)
              || p.StartsWith("ActiveSynth.AppHost/", StringComparison.Ordinal))); // project resources: not copied into its output
        Assert.Empty(offenders);
    }

    [Fact]
    public void Services_reference_only_libraries_contracts_and_service_defaults()
    {
        foreach (var service in Graph.Projects.Values.Where(p => p.Path.StartsWith("services/", StringComparison.Ordinal)))
        {
            Assert.All(service.ProjectReferences, r => Assert.True(
                r.StartsWith("lib/", StringComparison.Ordinal) || r == Contracts || r == ServiceDefaults,
                $"{service.Path} references {r}"));
        }
    }

    [Fact]
    public void Libraries_never_reference_services_or_hosts()
    {
        foreach (var lib in Graph.Projects.Values.Where(p => p.Path.StartsWith("lib/", StringComparison.Ordinal) || p.Path == Contracts))
        {
            Assert.All(Graph.Closure(lib.Path), r => Assert.False(
                r.StartsWith("services/", StringComparison.Ordinal) || r.StartsWith("ActiveSynth.", StringComparison.Ordinal),
                $"{lib.Path} reaches {r}"));
        }
    }

    [Fact]
    public void The_apphost_references_only_services_and_the_contract()
    {
        // The contract: it probes external workers through the Selection service's Diagnostics API.
        var appHost = Graph.Projects["ActiveSynth.AppHost/ActiveSynth.AppHost.csproj"];
        Assert.NotEmpty(appHost.ProjectReferences);
        Assert.All(appHost.ProjectReferences, r => Assert.True(r.StartsWith("services/", StringComparison.Ordinal) || r == Contracts, r));
    }

    [Fact]
    public void Every_project_is_in_the_solution()
    {
        var solution = File.ReadAllText(Path.Combine(Graph.Root, "ActiveSynth.Aspire.sln")).Replace('\\', '/');
        var missing = Graph.Projects.Keys.Where(p => !solution.Contains(p, StringComparison.Ordinal));
        Assert.Empty(missing);
    }

    private static bool IsTorchPackage(string package) =>
        package.StartsWith("TorchSharp", StringComparison.OrdinalIgnoreCase) || package.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase);
}
