using Microsoft.Extensions.AI;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace ActiveSynth.Teachers.Resilience;

/// <summary>
/// Retries transient failures (429, 5xx, timeouts, dropped connections) through a Polly pipeline: a retry strategy
/// (exponential backoff with jitter, or at least what a Retry-After header asks) around a per-attempt timeout, so a hung
/// endpoint becomes a retry rather than a stuck worker. Only a successful attempt returns usage, so a retried call is
/// charged once; the number of retries rides along in the response (<see cref="TeacherOptionKeys.Retries"/>), and a call
/// that fails for good becomes a <see cref="TeacherCallException"/> naming the failure. The SDK's own retries must be off
/// underneath (see <c>OpenAiTeacherClient</c>), or retries would multiply.
/// </summary>
public sealed class RetryingChatClient : DelegatingChatClient
{
    private readonly RetryOptions _options;
    private readonly ResiliencePipeline _pipeline;

    public RetryingChatClient(IChatClient inner, RetryOptions options, TimeProvider? timeProvider = null) : base(inner)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        var builder = new ResiliencePipelineBuilder { TimeProvider = timeProvider ?? TimeProvider.System };
        if (options.MaxAttempts > 1)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxAttempts - 1,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.BaseDelay,
                MaxDelay = options.MaxDelay,
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e
                    && !args.Context.CancellationToken.IsCancellationRequested && Classify(e).Transient),
                DelayGenerator = args => ValueTask.FromResult(RetryAfterDelay(args.Outcome.Exception)),
                OnRetry = args =>
                {
                    Retrying?.Invoke(Classify(args.Outcome.Exception!).Kind, args.AttemptNumber + 1, args.RetryDelay);
                    return ValueTask.CompletedTask;
                },
            });
        }
        _pipeline = builder.AddTimeout(options.AttemptTimeout).Build();
    }

    /// <summary>Raised before each retry (kind of failure, attempt that failed, delay): metrics and logs hook in here.</summary>
    public event Action<string, int, TimeSpan>? Retrying;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        var attempts = 0;
        try
        {
            var response = await _pipeline.ExecuteAsync(async ct =>
            {
                attempts++;
                return await base.GetResponseAsync(list, options, ct).ConfigureAwait(false);
            }, cancellationToken).ConfigureAwait(false);
            response.AdditionalProperties ??= [];
            response.AdditionalProperties[TeacherOptionKeys.Retries] = attempts - 1;
            return response;
        }
        catch (Exception e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new TeacherCallException(Classify(e).Kind, attempts, e);
        }
    }

    /// <summary>
    /// What the server asked for (Retry-After, capped at <see cref="RetryOptions.MaxRetryAfter"/>), never less, plus up to half
    /// the jitter fraction on top; null lets Polly's exponential backoff decide.
    /// </summary>
    private TimeSpan? RetryAfterDelay(Exception? failure)
    {
        if (failure is not System.ClientModel.ClientResultException result || FailureClassifier.RetryAfter(result) is not { } asked)
        {
            return null;
        }
        var capped = asked < _options.MaxRetryAfter ? asked : _options.MaxRetryAfter;
        return capped + (capped * _options.JitterFraction * Random.Shared.NextDouble() * 0.5);
    }

    /// <summary>Our attempt timer (Polly's timeout) or the SDK's network timeout count as a hung endpoint; the rest is classified by status.</summary>
    private static FailureClassifier.Failure Classify(Exception e) => e switch
    {
        TimeoutRejectedException or OperationCanceledException => new FailureClassifier.Failure("timeout", true, null),
        _ => FailureClassifier.Classify(e),
    };
}
