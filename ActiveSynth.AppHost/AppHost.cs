using ActiveSynth.AppHost;
using ActiveSynth.AppHost.Discovery;
using ActiveSynth.AppHost.Redis;
using ActiveSynth.AppHost.Workers;

InterruptSignal.Restore(); // Ctrl+C stops the AppHost even when it was started with SIGINT ignored (nohup, a background job)
var builder = DistributedApplication.CreateBuilder(args);

var settings = ActiveSynthSettings.Read(builder);
var redis = builder.AddActiveSynthRedis(settings);

// Each worker kind comes from its Services:<Kind>:Source: the project (default), an executable, or external replicas.
Worker[] workers =
[
    builder.AddWorker<Projects.ActiveSynth_Teacher>(settings.Teacher, redis, settings, w => w.WithSettingsSection("Teacher").WithTeacherEndpoint()),
    builder.AddWorker<Projects.ActiveSynth_Scoring>(settings.Scoring, redis, settings, w => w.WithSettingsSection("Scoring").WithSettingsSection("Student")),
    builder.AddWorker<Projects.ActiveSynth_Training>(settings.Training, redis, settings, w => w.WithSettingsSection("Training").WithSettingsSection("Student")),
];

// Selection owns run state, so it runs once. It does not wait for the workers: work waits in the streams
// until they consume it, and starting everything at once is what keeps a cold start short.
var selection = builder.AddActiveSynthService<Projects.ActiveSynth_Selection>("selection", redis, settings, replicas: 1)
    .WithSettingsSection("Selection")
    .WithSettingsSection("Artifacts:Uploads") // the artifact service's upload limits
    .AnnounceRunReports();
selection.WatchExternalWorkers([.. workers.Select(w => w.External?.Resource).OfType<ExternalWorkerResource>()]);
builder.WatchReplicaExits([selection.Resource, .. workers.SelectMany(w => w.Started)]);

builder.AnnounceDashboard();
selection.AnnounceSelection(settings); // its gRPC address on the console and in the local deployment file, for the command line
builder.Build().Run();
