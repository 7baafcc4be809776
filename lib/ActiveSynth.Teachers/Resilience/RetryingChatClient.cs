using Microsoft.Extensions.AI;

namespace ActiveSynth.Teachers.Resilience;

/// <summary>
/// Retries transient failures (429, 5xx, timeouts, dropped connections) with exponential backoff and jitter,
/// waiting at least what a Retry-After header asks. Each attempt has its own time limit, so a hung endpoint
/// becomes a retry rather than a stuck worker. Only a successful attempt returns usage, so a retried call is
/// charged once; the number of retries rides along in the response (<see cref="TeacherOptionKeys.Retries"/>).
/// The SDK's own retries must be off underneath (see <c>OpenAiTeacherClient</c>), or retries would multiply.
/// </summary>
public sealed class RetryingChatClient(IChatClient inner, RetryOptions options, TimeProvider? timeProvider = null, Random? random = null)
    : DelegatingChatClient(inner)
{
    private readonly TimeProvider _time = timeProvider ?? TimeProvider.System;
    private readonly Random _random = random ?? Random.Shared;

    /// <summary>Raised before each retry (kind of failure, attempt that failed, delay): metrics and logs hook in here.</summary>
    public event Action<string, int, TimeSpan>? Retrying;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? messages.ToList();
        for (var attempt = 1; ; attempt++)
        {
            using var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            attemptCts.CancelAfter(Options.AttemptTimeout);
            FailureClassifier.Failure failure;
            Exception error;
            try
            {
                var response = await base.GetResponseAsync(list, options, attemptCts.Token).ConfigureAwait(false);
                response.AdditionalProperties ??= [];
                response.AdditionalProperties[TeacherOptionKeys.Retries] = attempt - 1;
                return response;
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                // Our attempt timer fired (or the SDK's own timeout): the endpoint hung.
                failure = new FailureClassifier.Failure("timeout", true, null);
                error = e;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                failure = FailureClassifier.Classify(e);
                error = e;
            }
            if (!failure.Transient || attempt >= Options.MaxAttempts)
            {
                throw new TeacherCallException(failure.Kind, attempt, error);
            }
            var delay = DelayFor(attempt, failure.RetryAfter);
            Retrying?.Invoke(failure.Kind, attempt, delay);
            await Task.Delay(delay, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private RetryOptions Options => options;

    /// <summary>Backoff before retry number <paramref name="attempt"/>: Retry-After if given (capped), else exponential; plus jitter.</summary>
    internal TimeSpan DelayFor(int attempt, TimeSpan? retryAfter)
    {
        double jitter;
        lock (_random)
        {
            jitter = _random.NextDouble();
        }
        if (retryAfter is { } asked)
        {
            // Never earlier than asked: jitter only adds.
            var capped = asked < Options.MaxRetryAfter ? asked : Options.MaxRetryAfter;
            return capped + (capped * Options.JitterFraction * jitter * 0.5);
        }
        var exponential = Options.BaseDelay.TotalMilliseconds * Math.Pow(2, attempt - 1);
        var bounded = Math.Min(exponential, Options.MaxDelay.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(bounded * (1 + (Options.JitterFraction * ((2 * jitter) - 1))));
    }
}
