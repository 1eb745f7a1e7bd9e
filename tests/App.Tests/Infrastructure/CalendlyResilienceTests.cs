using System.Net;
using System.Net.Sockets;
using App.Infrastructure.Calendly;
using Polly;

namespace App.Tests.Infrastructure;

public sealed class CalendlyResilienceTests
{
    private static readonly TimeSpan Max = TimeSpan.FromSeconds(20);

    private static HttpResponseMessage TooManyRequests(string? reset = null, TimeSpan? retryAfter = null)
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        if (reset is not null) response.Headers.Add("X-RateLimit-Reset", reset);
        if (retryAfter is not null) response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(retryAfter.Value);
        return response;
    }

    [Test]
    public async Task Rate_limit_reset_is_seconds_to_wait_not_a_timestamp()
    {
        await Assert.That(CalendlyResilience.RateLimitDelay(TooManyRequests(reset: "7"), Max)).IsEqualTo(TimeSpan.FromSeconds(7));
    }

    [Test]
    public async Task Retry_after_wins_over_the_rate_limit_reset()
    {
        var delay = CalendlyResilience.RateLimitDelay(TooManyRequests(reset: "30", retryAfter: TimeSpan.FromSeconds(2)), Max);
        await Assert.That(delay).IsEqualTo(TimeSpan.FromSeconds(2));
    }

    [Test]
    public async Task A_wait_longer_than_the_maximum_is_capped_and_other_answers_use_backoff()
    {
        await Assert.That(CalendlyResilience.RateLimitDelay(TooManyRequests(reset: "600"), Max)).IsEqualTo(Max);
        await Assert.That(CalendlyResilience.RateLimitDelay(new HttpResponseMessage(HttpStatusCode.BadGateway), Max)).IsNull();
        await Assert.That(CalendlyResilience.RateLimitDelay(TooManyRequests(), Max)).IsNull();
    }

    [Test]
    [Arguments(500, true)]
    [Arguments(503, true)]
    [Arguments(408, true)]
    [Arguments(429, true)]
    [Arguments(400, false)]
    [Arguments(401, false)]
    [Arguments(404, false)]
    public async Task Reads_are_retried_on_transient_answers_only(int status, bool retried)
    {
        var get = new HttpRequestMessage(HttpMethod.Get, "https://api.calendly.com/users/me");
        var outcome = Outcome.FromResult(new HttpResponseMessage((HttpStatusCode)status));
        await Assert.That(CalendlyResilience.ShouldRetry(get, outcome)).IsEqualTo(retried);
    }

    [Test]
    public async Task A_post_is_retried_only_when_Calendly_cannot_have_acted_on_it()
    {
        var post = new HttpRequestMessage(HttpMethod.Post, "https://api.calendly.com/scheduled_events/x/cancellation");
        await Assert.That(CalendlyResilience.ShouldRetry(post, Outcome.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError)))).IsFalse();
        await Assert.That(CalendlyResilience.ShouldRetry(post, Outcome.FromException<HttpResponseMessage>(new HttpRequestException("reset")))).IsFalse();
        await Assert.That(CalendlyResilience.ShouldRetry(post, Outcome.FromResult(new HttpResponseMessage(HttpStatusCode.TooManyRequests)))).IsTrue();
        var refused = new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused));
        await Assert.That(CalendlyResilience.ShouldRetry(post, Outcome.FromException<HttpResponseMessage>(refused))).IsTrue();
    }

    [Test]
    public async Task A_booking_is_never_retried_not_even_on_429()
    {
        var booking = new HttpRequestMessage(HttpMethod.Post, "https://api.calendly.com/invitees");
        booking.Options.Set(CalendlyResilience.NeverRetry, true);
        await Assert.That(CalendlyResilience.ShouldRetry(booking, Outcome.FromResult(new HttpResponseMessage(HttpStatusCode.TooManyRequests)))).IsFalse();
        var refused = new HttpRequestException("refused", new SocketException((int)SocketError.ConnectionRefused));
        await Assert.That(CalendlyResilience.ShouldRetry(booking, Outcome.FromException<HttpResponseMessage>(refused))).IsFalse();
    }
}
