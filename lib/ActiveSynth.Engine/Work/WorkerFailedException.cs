using ActiveSynth.Engine.Specs;

namespace ActiveSynth.Engine.Work;

/// <summary>A worker answered a request with a failure, dead-lettered it, or never answered: the run's step fails with this message.</summary>
public sealed class WorkerFailedException(string message) : Exception(message);
