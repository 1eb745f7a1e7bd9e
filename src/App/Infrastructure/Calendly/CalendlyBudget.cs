using System.Threading.RateLimiting;

namespace App.Infrastructure.Calendly;

/// <summary>
/// Keeps each coach's calls under Calendly's per-user limits before Calendly has to answer 429: a sliding minute
/// of API requests and a separate one for token requests (Calendly allows 8 a minute per user). A call over budget
/// waits for room, up to the call's deadline. Per process: several instances each keep their own budget, which is why
/// the default API budget sits below Calendly's 500.
/// </summary>
public sealed class CalendlyBudget(CalendlyResilienceOptions options) : IDisposable
{
    private readonly PartitionedRateLimiter<long> _requests = PerUser(options.UserRequestsPerMinute);
    private readonly PartitionedRateLimiter<long> _tokenRequests = PerUser(options.UserTokenRequestsPerMinute);

    // A steady pace rather than a burst per minute: at most one second's worth at once, so that any minute-long window
    // of the upstream's counts stays within the limit.
    private readonly RateLimiter? _allTokenRequests = options.TokenRequestsPerMinute > 0
        ? new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = Math.Max(1, options.TokenRequestsPerMinute / 60),
            TokensPerPeriod = Math.Max(1, options.TokenRequestsPerMinute / 60),
            ReplenishmentPeriod = TimeSpan.FromSeconds(Math.Max(1, options.TokenRequestsPerMinute / 60) * 60.0 / options.TokenRequestsPerMinute),
            QueueLimit = 1_000_000,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        })
        : null;

    public Task WaitForRequestAsync(long userId, CancellationToken ct) => WaitAsync(_requests, userId, "API requests", ct);

    public async Task WaitForTokenRequestAsync(long userId, CancellationToken ct)
    {
        await WaitAsync(_tokenRequests, userId, "token requests", ct);
        if (_allTokenRequests is null) return;
        // Waiting for the shared pace is not this coach's fault: no deadline beyond the caller's own.
        using var lease = await _allTokenRequests.AcquireAsync(1, ct);
    }

    private async Task WaitAsync(PartitionedRateLimiter<long> limiter, long userId, string what, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Deadline);
        try
        {
            using var lease = await limiter.AcquireAsync(userId, 1, timeout.Token);
            if (!lease.IsAcquired) throw OverBudget(what);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw OverBudget(what);
        }
    }

    private static CalendlyException OverBudget(string what) =>
        new(CalendlyFailure.RateLimited, $"This coach's Calendly budget of {what} per minute is used up; try again in a minute.");

    private static PartitionedRateLimiter<long> PerUser(int perMinute) =>
        PartitionedRateLimiter.Create<long, long>(userId => RateLimitPartition.GetSlidingWindowLimiter(userId, _ =>
            new SlidingWindowRateLimiterOptions
            {
                PermitLimit = perMinute,
                Window = TimeSpan.FromMinutes(1),
                SegmentsPerWindow = 6,
                QueueLimit = 10_000,
                QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
                AutoReplenishment = true,
            }));

    public void Dispose()
    {
        _requests.Dispose();
        _tokenRequests.Dispose();
        _allTokenRequests?.Dispose();
    }
}
