using System.Globalization;
using System.Net;
using System.Net.Sockets;
using App.Infrastructure.Telemetry;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace App.Infrastructure.Calendly;

/// <summary>
/// How calls to Calendly survive a flaky upstream, decided once for the one HttpClient every Calendly call uses:
/// an overall deadline; retries with exponential backoff and jitter on 5xx, 408, 429 and network errors, waiting as
/// long as Calendly's rate-limit headers say; a circuit breaker per host, so an outage fails fast; a per-attempt
/// timeout. Both deadlines cover the whole answer, body included (<see cref="WholeAnswer"/>). A POST is retried only
/// when Calendly cannot have acted on it (429, or the connection was refused), and a request marked
/// <see cref="NeverRetry"/> never (a booking: a person is waiting, and after a failure only Calendly's record can say
/// whether it booked).
/// </summary>
public static class CalendlyResilience
{
    /// <summary>Set on a request that must be sent once: its failures go straight back to the caller.</summary>
    public static readonly HttpRequestOptionsKey<bool> NeverRetry = new("calendly-never-retry");

    public static IServiceCollection AddCalendlyClient(this IServiceCollection services, CalendlyResilienceOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<CalendlyBudget>();
        // Singletons: a request that is answered from the cache resolves them without building anything.
        services.AddSingleton<CalendlyTokens>().AddHostedService<RefreshesDrain>();
        // Long enough for a refresh in flight to reach its deadline and be saved (RefreshesDrain).
        services.Configure<HostOptions>(host => host.ShutdownTimeout = options.Deadline + TimeSpan.FromSeconds(15));
        services.AddSingleton<CalendlyCalls>();
        var client = services.AddHttpClient<CalendlyClient>(CalendlyClient.HttpClientName, http => http.Timeout = Timeout.InfiniteTimeSpan);
        client.AddResilienceHandler("calendly", (pipeline, context) =>
            Configure(pipeline, options, context.ServiceProvider.GetRequiredService<CalendlyMetrics>())).SelectPipelineByAuthority();
        // Added after the resilience handler, so inside it: each attempt runs them. Counted once the body is read.
        client.AddHttpMessageHandler(services => new CountedAttempts(services.GetRequiredService<CalendlyMetrics>()));
        client.AddHttpMessageHandler(() => new WholeAnswer());
        return services;
    }

    /// <summary>
    /// Reads the body before the pipeline lets go of the answer. Read later, a body that trickles in would hold the
    /// caller for as long as it takes, past every deadline (Calendly's token answer included); read here, a stalled
    /// body times out like a silent server and a body cut off fails the attempt like a dropped connection.
    /// </summary>
    private sealed class WholeAnswer : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            try
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken);
                return response;
            }
            catch
            {
                response.Dispose();
                throw;
            }
        }
    }

    /// <summary>
    /// Each attempt in calendly_api_calls, by route template (<see cref="RouteOf"/>) and status, with the rate-limit
    /// budget Calendly says is left.
    /// </summary>
    private sealed class CountedAttempts(CalendlyMetrics metrics) : DelegatingHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var route = RouteOf(request.RequestUri!);
            HttpResponseMessage response;
            try
            {
                response = await base.SendAsync(request, cancellationToken);
            }
            catch
            {
                metrics.CalendlyAttempt(route, null, null);
                throw;
            }
            long? remaining = response.Headers.TryGetValues("X-RateLimit-Remaining", out var values)
                && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var left) ? left : null;
            metrics.CalendlyAttempt(route, (int)response.StatusCode, remaining);
            return response;
        }
    }

    /// <summary>
    /// The path as a template: resource names stay, identifiers (Calendly's UUIDs) become {id}, so that the label has a
    /// handful of values, not one per event. <c>/scheduled_events/AB12…/invitees</c> is <c>/scheduled_events/{id}/invitees</c>.
    /// </summary>
    internal static string RouteOf(Uri uri) =>
        "/" + string.Join('/', uri.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)
            .Select(segment => segment.All(c => c is >= 'a' and <= 'z' or '_') ? segment : "{id}"));

    private static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> pipeline, CalendlyResilienceOptions options,
        CalendlyMetrics metrics)
    {
        pipeline.AddTimeout(options.Deadline);
        if (options.MaxRetries > 0)
        {
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryBaseDelay,
                MaxDelay = options.MaxRetryDelay,
                ShouldHandle = args => ValueTask.FromResult(ShouldRetry(args.Context.GetRequestMessage(), args.Outcome)),
                DelayGenerator = args => ValueTask.FromResult(RateLimitDelay(args.Outcome.Result, options.MaxRetryDelay)),
            });
        }
        pipeline
            .AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = options.BreakerFailureRatio,
                MinimumThroughput = options.BreakerMinimumThroughput,
                SamplingDuration = options.BreakerSamplingDuration,
                BreakDuration = options.BreakerBreakDuration,
                // 429 means "slow down", not "Calendly is down": it does not count towards opening the circuit.
                ShouldHandle = args => ValueTask.FromResult(IsTransient(args.Outcome) && args.Outcome.Result?.StatusCode != HttpStatusCode.TooManyRequests),
                OnOpened = args => Circuit(metrics, args.Context, CalendlyMetrics.CircuitState.Open),
                OnHalfOpened = args => Circuit(metrics, args.Context, CalendlyMetrics.CircuitState.HalfOpen),
                OnClosed = args => Circuit(metrics, args.Context, CalendlyMetrics.CircuitState.Closed),
            })
            .AddTimeout(options.AttemptTimeout);
    }

    private static ValueTask Circuit(CalendlyMetrics metrics, ResilienceContext context, CalendlyMetrics.CircuitState state)
    {
        // One breaker per host (SelectPipelineByAuthority): the request names it.
        if (context.GetRequestMessage()?.RequestUri is { } uri) metrics.Circuit(uri.Authority, state);
        return ValueTask.CompletedTask;
    }

    internal static bool ShouldRetry(HttpRequestMessage? request, Outcome<HttpResponseMessage> outcome)
    {
        if (!IsTransient(outcome)) return false;
        if (request is not null && request.Options.TryGetValue(NeverRetry, out var once) && once) return false;
        if (request is null || request.Method != HttpMethod.Post) return true;
        // A POST (cancellation, token refresh) may have been acted on when it failed after sending: a retried refresh
        // would present a refresh token Calendly just rotated. Retry only when Calendly cannot have processed it.
        return outcome.Result?.StatusCode == HttpStatusCode.TooManyRequests
            || outcome.Exception is HttpRequestException { InnerException: SocketException { SocketErrorCode: SocketError.ConnectionRefused } };
    }

    private static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or Polly.Timeout.TimeoutRejectedException } => true,
        { Result: { } response } => (int)response.StatusCode >= 500
            || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests,
        _ => false,
    };

    /// <summary>
    /// On 429, Calendly's <c>X-RateLimit-Reset</c> is the seconds until its window resets (not a timestamp);
    /// <c>Retry-After</c> wins where present. Null falls back to exponential backoff.
    /// </summary>
    internal static TimeSpan? RateLimitDelay(HttpResponseMessage? response, TimeSpan max)
    {
        if (response?.StatusCode != HttpStatusCode.TooManyRequests) return null;
        if (response.Headers.RetryAfter is { } retryAfter)
        {
            var delay = retryAfter.Delta ?? (retryAfter.Date - DateTimeOffset.UtcNow);
            if (delay is { } d) return Clamp(d, max);
        }
        if (response.Headers.TryGetValues("X-RateLimit-Reset", out var values)
            && double.TryParse(values.FirstOrDefault(), NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds))
            return Clamp(TimeSpan.FromSeconds(seconds), max);
        return null;
    }

    private static TimeSpan Clamp(TimeSpan delay, TimeSpan max) =>
        delay < TimeSpan.Zero ? TimeSpan.Zero : delay > max ? max : delay;
}
