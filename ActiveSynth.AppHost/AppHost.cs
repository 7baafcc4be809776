using ActiveSynth.Hosting;

var builder = DistributedApplication.CreateBuilder(args);

var settings = ActiveSynthSettings.Read(builder);
var redis = builder.AddActiveSynthRedis(settings);

var teacher = builder.AddActiveSynthService<Projects.ActiveSynth_Teacher>("teacher", redis, settings, settings.TeacherReplicas)
    .WithSettingsSection("Teacher")
    .WithTeacherEndpoint();
var scoring = builder.AddActiveSynthService<Projects.ActiveSynth_Scoring>("scoring", redis, settings, settings.ScoringReplicas)
    .WithSettingsSection("Scoring").WithSettingsSection("Student");
var training = builder.AddActiveSynthService<Projects.ActiveSynth_Training>("training", redis, settings, settings.TrainingReplicas)
    .WithSettingsSection("Training").WithSettingsSection("Student");

// Selection owns run state, so it runs once. It does not wait for the workers: work waits in the streams
// until they consume it, and starting everything at once is what keeps a cold start short.
builder.AddActiveSynthService<Projects.ActiveSynth_Selection>("selection", redis, settings, replicas: 1)
    .WithReference(teacher)
    .WithReference(scoring)
    .WithReference(training)
    .WithSettingsSection("Selection")
    .AnnounceRunReports();

builder.AnnounceDashboard();
builder.Build().Run();
