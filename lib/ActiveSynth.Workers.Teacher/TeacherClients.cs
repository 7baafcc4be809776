using ActiveSynth.Engine.Specs;
using ActiveSynth.Engine.Work;
using ActiveSynth.Contracts.V1;
using ActiveSynth.Core.Diagnostics;
using ActiveSynth.Core.Tasks;
using ActiveSynth.Teachers;
using ActiveSynth.Teachers.Caching;
using ActiveSynth.Teachers.Embedded;
using ActiveSynth.Teachers.OpenAI;
using ActiveSynth.Teachers.Resilience;
using ActiveSynth.Teachers.Usage;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace ActiveSynth.Workers.Teacher;

/// <summary>
/// The teacher pipelines this replica can use: the embedded teacher always, the OpenAI-compatible endpoint when
/// <c>ConnectionStrings:teacher</c> is set. Both get the same layers (cache when switched on, retries, rate limits).
/// </summary>
public sealed class TeacherClients : IDisposable
{
    private readonly ClientRateLimiter _limiter;
    private readonly string _defaultKind;

    public TeacherClients(IOptions<TeacherServiceOptions> options, IOptions<ResponseCacheOptions> cacheOptions, IOptions<RetryOptions> retry,
        IOptions<RateLimitOptions> limits, IOptions<EmbeddedTeacherOptions> embedded, IConfiguration configuration, IDistributedCache store, ICallStartMarks marks,
        ILogger<TeacherClients> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(cacheOptions);
        ArgumentNullException.ThrowIfNull(configuration);
        var service = options.Value;
        _defaultKind = service.DefaultKind;
        _allowedModels = [.. service.AllowedModels.Where(m => !string.IsNullOrWhiteSpace(m)).Select(m => m.Trim())];
        _limiter = new ClientRateLimiter(limits.Value);
        var responseCache = cacheOptions.Value.Enabled ? new TeacherResponseCache(store, marks, cacheOptions.Value.TimeToLive) : null;
        void OnRetry(string model, string kind, int attempt, TimeSpan delay) => logger.Retrying(model, kind, attempt, delay.TotalMilliseconds);

        EmbeddedModel = embedded.Value.ModelId;
        // The embedded teacher answers instantly and has no quota: no retries or rate limits, only the cache.
        Embedded = TeacherPipeline.Build(new EmbeddedTeacherChatClient(TaskFamilyRegistry.Default, embedded.Value), EmbeddedModel, responseCache, null, null, null);

        var connectionString = configuration.GetConnectionString(service.ConnectionName);
        if (!string.IsNullOrWhiteSpace(connectionString))
        {
            var connection = TeacherConnection.Parse(connectionString);
            OpenAiModel = connection.Model;
            OpenAiEndpoint = SafeUrl.Authority(connection.Endpoint); // GetLeftPart(Authority) would keep user:password
            OpenAi = TeacherPipeline.Build(OpenAiTeacherClient.Create(connection, service.NetworkTimeout), connection.Model, responseCache,
                retry.Value, _limiter, limits.Value, (kind, attempt, delay) => OnRetry(connection.Model, kind, attempt, delay));
        }
        logger.Ready(_defaultKind, OpenAiEndpoint ?? "(none)", responseCache is not null);
        _allowedModels.Add(EmbeddedModel);
        if (OpenAiModel is not null)
        {
            _allowedModels.Add(OpenAiModel);
        }
    }

    private readonly List<string> _allowedModels;

    public IChatClient Embedded { get; }

    public string EmbeddedModel { get; }

    public IChatClient? OpenAi { get; }

    public string? OpenAiModel { get; }

    /// <summary>Scheme, host and port only (no user information): safe to log.</summary>
    public string? OpenAiEndpoint { get; }

    /// <summary>The client and model for a request's spec; null client when the spec asks for an endpoint this replica does not have.</summary>
    public (IChatClient? Client, string Model) Resolve(TeacherSpec? spec)
    {
        var kind = spec?.Kind ?? TeacherKind.Unspecified;
        var openAi = kind == TeacherKind.Openai || (kind == TeacherKind.Unspecified && _defaultKind == "openai");
        var requested = spec?.Model ?? "";
        return openAi
            ? (OpenAi, requested.Length > 0 ? requested : OpenAiModel ?? "")
            : (Embedded, requested.Length > 0 ? requested : EmbeddedModel);
    }

    /// <summary>
    /// Why the model <paramref name="spec"/> names may not be used here, or null when it may (no model named: the kind's configured
    /// one). Allowed are the endpoint's configured model, the embedded teacher's name and <c>Teacher:AllowedModels</c>.
    /// </summary>
    public string? ModelProblem(TeacherSpec? spec)
    {
        var requested = spec?.Model ?? "";
        if (requested.Length == 0 || _allowedModels.Contains(requested, StringComparer.Ordinal))
        {
            return null;
        }
        var shown = requested.Length <= 64 ? requested : requested[..64] + "...";
        return $"'{shown}' is not a model this teacher may use; allowed: {string.Join(", ", _allowedModels.Distinct(StringComparer.Ordinal))} "
            + "(the endpoint's Model, Teacher:Embedded:ModelId, and Teacher:AllowedModels)";
    }

    /// <summary>What this replica charges for: StartRun refuses a cost limit that these prices could never make bind.</summary>
    public TeacherPricing Pricing(PriceTable prices, string instance)
    {
        ArgumentNullException.ThrowIfNull(prices);
        var pricing = new TeacherPricing { DefaultKind = _defaultKind, DefaultModel = OpenAiModel ?? "", Instance = instance };
        pricing.PricedModels.AddRange(prices.PricedModels);
        return pricing;
    }

    public void Dispose() => _limiter.Dispose();
}
