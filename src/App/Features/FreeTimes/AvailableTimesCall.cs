using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using App.Infrastructure.Calendly;
using App.Infrastructure.Configuration;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace App.Features.FreeTimes;

/// <summary>
/// GET /event_type_available_times through the Calendly HttpClient (its retries, deadline and circuit breaker), with
/// failures as the CalendlyException that CalendlyCalls and the error mapping expect.
/// </summary>
// REVIEW: temporary. CalendlyClient.ListAvailableTimesAsync cannot read Calendly's answer, because CalendlyPage<T>
// requires "pagination" and this endpoint (like the schedules and busy-times ones) has none. Once CalendlyModels.cs
// declares `CalendlyPage<T>(IReadOnlyList<T> Collection, Pagination? Pagination = null)`, call
// client.ListAvailableTimesAsync instead and delete this file.
public static class AvailableTimesCall
{
    private sealed record Answer(IReadOnlyList<AvailableTime> Collection);

    private static readonly JsonSerializerOptions CalendlyJson = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        RespectNullableAnnotations = true,
    };

    public static async Task<IReadOnlyList<AvailableTime>> ListAsync(IHttpClientFactory httpClients, CalendlyOptions options,
        string accessToken, string eventTypeUri, DateTimeOffset start, DateTimeOffset end, CancellationToken ct)
    {
        var url = new Uri(options.ApiBaseUrl, $"event_type_available_times?event_type={Uri.EscapeDataString(eventTypeUri)}"
            + $"&start_time={Uri.EscapeDataString(Time(start))}&end_time={Uri.EscapeDataString(Time(end))}");
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        const string call = "GET /event_type_available_times";
        try
        {
            using var response = await httpClients.CreateClient(nameof(CalendlyClient)).SendAsync(request, ct);
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
                throw status switch
                {
                    401 => new CalendlyException(CalendlyFailure.Unauthorized, "Calendly refused the access token.", status),
                    403 => new CalendlyException(CalendlyFailure.Forbidden, "Calendly does not allow this.", status),
                    404 => new CalendlyException(CalendlyFailure.NotFound, "Calendly has no such event type.", status),
                    429 => new CalendlyException(CalendlyFailure.RateLimited, "Calendly's rate limit was reached; try again in a minute.", status),
                    400 => new CalendlyException(CalendlyFailure.Rejected, $"Calendly rejected {call}.", status),
                    _ => new CalendlyException(CalendlyFailure.Unavailable, $"Calendly failed to answer {call} ({status}).", status),
                };
            return (await response.Content.ReadFromJsonAsync<Answer>(CalendlyJson, ct))?.Collection
                ?? throw new CalendlyException(CalendlyFailure.InvalidResponse, $"Calendly answered {call} with an empty body.");
        }
        catch (JsonException e)
        {
            throw new CalendlyException(CalendlyFailure.InvalidResponse, $"Calendly's answer to {call} is not the documented shape.", inner: e);
        }
        catch (Exception e) when (e is HttpRequestException or BrokenCircuitException or TimeoutRejectedException)
        {
            throw new CalendlyException(CalendlyFailure.Unavailable, $"Calendly could not be reached for {call}.", inner: e);
        }
    }

    private static string Time(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);
}
