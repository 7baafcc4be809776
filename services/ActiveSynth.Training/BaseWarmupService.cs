using Microsoft.Extensions.Options;
using ActiveSynth.Workers.Training;

namespace ActiveSynth.Training;

/// <summary>With <c>Training:PretrainOnStart</c>, pretrains (or loads) the default base in the background at start, so the first round-0 request answers at once.</summary>
public sealed class BaseWarmupService(StudentTrainingService training, IOptions<TrainingServiceOptions> options) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.Value.PretrainOnStart)
        {
            await training.EnsureBaseAsync(null, stoppingToken).ConfigureAwait(false);
        }
    }
}
