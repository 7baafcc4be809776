using System.ClientModel;
using System.Globalization;
using System.Net;
using System.Text.Json;

namespace ActiveSynth.Teachers.Resilience;

/// <summary>Which failures of an OpenAI-compatible call are worth retrying, and how long the server asked us to wait.</summary>
public static class FailureClassifier
{
    /// <summary>A classified failure: a short kind, whether to retry, and the server's Retry-After if it sent one.</summary>
    public readonly record struct Failure(string Kind, bool Transient, TimeSpan? RetryAfter);

    public static Failure Classify(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        switch (exception)
        {
            case ClientResultException result:
                var status = result.Status;
                var transient = status is 0 or 408 or 409 or 429 || status >= 500;
                return new Failure(status == 0 ? "connection failed" : $"http {status}", transient, RetryAfter(result));
            case HttpRequestException http:
                var code = (int?)http.StatusCode;
                return new Failure(code is null ? "connection failed" : $"http {code}", code is null or 408 or 429 or >= 500, null);
            case TimeoutException:
                return new Failure("timeout", true, null);
            case IOException:
                return new Failure("connection failed", true, null);
            case JsonException or FormatException or InvalidOperationException or KeyNotFoundException or ArgumentException:
                // The endpoint answered, but not with a valid response: repeating the same request rarely helps and costs again.
                return new Failure("malformed response", false, null);
            default:
                return new Failure(exception.GetType().Name, false, null);
        }
    }

    /// <summary>Retry-After (seconds or an HTTP date) or retry-after-ms, from the failed response's headers.</summary>
    public static TimeSpan? RetryAfter(ClientResultException exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        var headers = exception.GetRawResponse()?.Headers;
        if (headers is null)
        {
            return null;
        }
        if (headers.TryGetValue("retry-after-ms", out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
        {
            return TimeSpan.FromMilliseconds(millis);
        }
        if (!headers.TryGetValue("Retry-After", out var value) || string.IsNullOrWhiteSpace(value))
        {
            return null;
        }
        if (double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0)
        {
            return TimeSpan.FromSeconds(seconds);
        }
        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var date)
            ? Max(date - DateTimeOffset.UtcNow, TimeSpan.Zero)
            : null;
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    internal static bool IsStatus(Exception exception, HttpStatusCode code) => exception is ClientResultException r && r.Status == (int)code;
}
