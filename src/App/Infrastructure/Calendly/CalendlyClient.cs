using System.Globalization;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using App.Infrastructure.Telemetry;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace App.Infrastructure.Calendly;

/// <summary>
/// One typed client for every Calendly endpoint the features use: the REST API (with the coach's access token)
/// and the OAuth server (with this app's client credentials). Failures come out as <see cref="CalendlyException"/>;
/// retries, timeouts and the circuit breaker live in the HttpClient's resilience handler (CalendlyResilience), which
/// also reads each body within those timeouts, so an answer arrives here whole.
/// Calendly identifies resources by URI; path parameters take the UUID, the last segment of that URI.
/// </summary>
public sealed class CalendlyClient(HttpClient http, CalendlyOptions options)
{
    /// <summary>The name of the HttpClient (and its resilience pipeline) every Calendly call goes through.</summary>
    public const string HttpClientName = "calendly";

    /// <summary>
    /// A client for one call, for singletons: the factory's HttpClient is cheap to make and its handlers are pooled
    /// and rotated, where a client held for the life of the app would keep one handler for ever.
    /// </summary>
    public static CalendlyClient For(IHttpClientFactory httpClients, CalendlyOptions options) =>
        new(httpClients.CreateClient(HttpClientName), options);

    // ---- Users

    public async Task<CalendlyUser> GetCurrentUserAsync(string accessToken, CancellationToken ct) =>
        (await GetAsync(accessToken, "users/me", CalendlyJson.Default.CalendlyResourceCalendlyUser, ct)).Resource;

    // ---- Event types

    public Task<CalendlyPage<EventType>> ListEventTypesAsync(string accessToken, string userUri, int count, string? pageToken,
        CancellationToken ct) =>
        GetAsync(accessToken, "event_types" + Query(("user", userUri), ("active", "true"), ("sort", "name:asc"),
            ("count", Count(count)), ("page_token", pageToken)), CalendlyJson.Default.CalendlyPageEventType, ct);

    public async Task<EventType> GetEventTypeAsync(string accessToken, string uuid, CancellationToken ct) =>
        (await GetAsync(accessToken, $"event_types/{Segment(uuid)}", CalendlyJson.Default.CalendlyResourceEventType, ct)).Resource;

    // ---- Scheduled events and invitees

    public sealed record ScheduledEventQuery(
        string UserUri, string? Status = null, string? InviteeEmail = null, DateTimeOffset? MinStartTime = null,
        DateTimeOffset? MaxStartTime = null, string Sort = "start_time:asc", int Count = 20, string? PageToken = null);

    public Task<CalendlyPage<ScheduledEvent>> ListScheduledEventsAsync(string accessToken, ScheduledEventQuery query, CancellationToken ct) =>
        GetAsync(accessToken, "scheduled_events" + Query(("user", query.UserUri), ("status", query.Status),
                ("invitee_email", query.InviteeEmail), ("min_start_time", Time(query.MinStartTime)),
                ("max_start_time", Time(query.MaxStartTime)), ("sort", query.Sort), ("count", Count(query.Count)),
                ("page_token", query.PageToken)),
            CalendlyJson.Default.CalendlyPageScheduledEvent, ct);

    public async Task<ScheduledEvent> GetScheduledEventAsync(string accessToken, string uuid, CancellationToken ct) =>
        (await GetAsync(accessToken, $"scheduled_events/{Segment(uuid)}", CalendlyJson.Default.CalendlyResourceScheduledEvent, ct)).Resource;

    public Task<CalendlyPage<Invitee>> ListInviteesAsync(string accessToken, string eventUuid, int count, string? pageToken,
        CancellationToken ct) =>
        GetAsync(accessToken, $"scheduled_events/{Segment(eventUuid)}/invitees" + Query(("sort", "created_at:asc"),
            ("count", Count(count)), ("page_token", pageToken)), CalendlyJson.Default.CalendlyPageInvitee, ct);

    public async Task<Invitee> GetInviteeAsync(string accessToken, string eventUuid, string inviteeUuid, CancellationToken ct) =>
        (await GetAsync(accessToken, $"scheduled_events/{Segment(eventUuid)}/invitees/{Segment(inviteeUuid)}",
            CalendlyJson.Default.CalendlyResourceInvitee, ct)).Resource;

    /// <summary>Cancels the whole event (all its invitees). Not retried once sent: a second attempt could only say "already canceled".</summary>
    public async Task<Cancellation> CancelEventAsync(string accessToken, string eventUuid, string? reason, CancellationToken ct)
    {
        var request = Request(HttpMethod.Post, Api($"scheduled_events/{Segment(eventUuid)}/cancellation"), accessToken);
        request.Content = JsonContent.Create(new CancellationRequest(reason), CalendlyJson.Default.CancellationRequest);
        return (await SendAsync(request, CalendlyJson.Default.CalendlyResourceCancellation, ct)).Resource;
    }

    public async Task<NoShow> CreateNoShowAsync(string accessToken, string inviteeUri, CancellationToken ct)
    {
        var request = Request(HttpMethod.Post, Api("invitee_no_shows"), accessToken);
        request.Content = JsonContent.Create(new NoShowRequest(inviteeUri), CalendlyJson.Default.NoShowRequest);
        return (await SendAsync(request, CalendlyJson.Default.CalendlyResourceNoShow, ct)).Resource;
    }

    /// <summary>
    /// Books an invitee into a start time (the Scheduling API). Never retried, whatever the failure: Calendly may have
    /// booked already, and only its own record (the invitee's tracking) can tell.
    /// </summary>
    public async Task<Invitee> CreateInviteeAsync(string accessToken, InviteeRequest body, CancellationToken ct)
    {
        var request = Request(HttpMethod.Post, Api("invitees"), accessToken);
        request.Options.Set(CalendlyResilience.NeverRetry, true);
        request.Content = JsonContent.Create(body, CalendlyJson.Default.InviteeRequest);
        return (await SendAsync(request, CalendlyJson.Default.CalendlyResourceInvitee, ct)).Resource;
    }

    public Task DeleteNoShowAsync(string accessToken, string noShowUuid, CancellationToken ct) =>
        SendAsync(Request(HttpMethod.Delete, Api($"invitee_no_shows/{Segment(noShowUuid)}"), accessToken), ct);

    // ---- Availability

    public Task<CalendlyPage<AvailableTime>> ListAvailableTimesAsync(string accessToken, string eventTypeUri,
        DateTimeOffset start, DateTimeOffset end, CancellationToken ct) =>
        GetAsync(accessToken, "event_type_available_times" + Query(("event_type", eventTypeUri), ("start_time", Time(start)),
            ("end_time", Time(end))), CalendlyJson.Default.CalendlyPageAvailableTime, ct);

    public Task<CalendlyPage<AvailabilitySchedule>> ListAvailabilitySchedulesAsync(string accessToken, string userUri,
        CancellationToken ct) =>
        GetAsync(accessToken, "user_availability_schedules" + Query(("user", userUri)), CalendlyJson.Default.CalendlyPageAvailabilitySchedule, ct);

    public Task<CalendlyPage<BusyTime>> ListBusyTimesAsync(string accessToken, string userUri, DateTimeOffset start,
        DateTimeOffset end, CancellationToken ct) =>
        GetAsync(accessToken, "user_busy_times" + Query(("user", userUri), ("start_time", Time(start)), ("end_time", Time(end))),
            CalendlyJson.Default.CalendlyPageBusyTime, ct);

    // ---- Webhook subscriptions

    public async Task<WebhookSubscription> CreateWebhookSubscriptionAsync(string accessToken, WebhookSubscriptionRequest body,
        CancellationToken ct)
    {
        var request = Request(HttpMethod.Post, Api("webhook_subscriptions"), accessToken);
        request.Content = JsonContent.Create(body, CalendlyJson.Default.WebhookSubscriptionRequest);
        return (await SendAsync(request, CalendlyJson.Default.CalendlyResourceWebhookSubscription, ct)).Resource;
    }

    public Task<CalendlyPage<WebhookSubscription>> ListWebhookSubscriptionsAsync(string accessToken, string organizationUri,
        string userUri, string? pageToken, CancellationToken ct) =>
        GetAsync(accessToken, "webhook_subscriptions" + Query(("organization", organizationUri), ("scope", "user"),
            ("user", userUri), ("count", "100"), ("page_token", pageToken)), CalendlyJson.Default.CalendlyPageWebhookSubscription, ct);

    public Task DeleteWebhookSubscriptionAsync(string accessToken, string uuid, CancellationToken ct) =>
        SendAsync(Request(HttpMethod.Delete, Api($"webhook_subscriptions/{Segment(uuid)}"), accessToken), ct);

    // ---- OAuth (client credentials as HTTP Basic, the form Calendly documents for web apps)

    public Task<TokenResponse> ExchangeCodeAsync(string code, Uri redirectUri, string codeVerifier, CancellationToken ct) =>
        TokenAsync([new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", redirectUri.ToString()),
            new("code_verifier", codeVerifier)], ct);

    /// <summary>Rotates the refresh token: the one passed in is dead once Calendly answers. Never retried after sending.</summary>
    public Task<TokenResponse> RefreshAsync(string refreshToken, CancellationToken ct) =>
        TokenAsync([new("grant_type", "refresh_token"), new("refresh_token", refreshToken)], ct);

    public Task RevokeAsync(string token, CancellationToken ct)
    {
        var request = ClientRequest("oauth/revoke", [new("token", token)]);
        return SendAsync(request, ct);
    }

    /// <summary>Every item of a paginated list, page by page, stopping after <paramref name="maxItems"/>.</summary>
    public static async IAsyncEnumerable<T> AllPagesAsync<T>(Func<string?, Task<CalendlyPage<T>>> fetchPage, int maxItems)
    {
        string? pageToken = null;
        var yielded = 0;
        do
        {
            var page = await fetchPage(pageToken);
            foreach (var item in page.Collection)
            {
                if (yielded++ >= maxItems) yield break;
                yield return item;
            }
            pageToken = page.Pagination?.NextPageToken;
        }
        while (pageToken is not null);
    }

    /// <summary>The UUID at the end of a Calendly resource URI (invitee URIs carry two; this is the last).</summary>
    public static string UuidOf(string uri) => uri.TrimEnd('/').Split('/')[^1];

    // ---- Plumbing

    private Task<TokenResponse> TokenAsync(KeyValuePair<string, string>[] form, CancellationToken ct) =>
        SendAsync(ClientRequest("oauth/token", form), CalendlyJson.Default.TokenResponse, ct);

    private HttpRequestMessage ClientRequest(string path, KeyValuePair<string, string>[] form)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(options.AuthBaseUrl, path)) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
            Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(options.ClientId)}:{Uri.EscapeDataString(options.ClientSecret)}")));
        return request;
    }

    private Uri Api(string pathAndQuery) => new(options.ApiBaseUrl, pathAndQuery);

    private static HttpRequestMessage Request(HttpMethod method, Uri uri, string accessToken)
    {
        var request = new HttpRequestMessage(method, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return request;
    }

    private Task<T> GetAsync<T>(string accessToken, string pathAndQuery, JsonTypeInfo<T> type, CancellationToken ct) =>
        SendAsync(Request(HttpMethod.Get, Api(pathAndQuery), accessToken), type, ct);

    private async Task SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        using var response = await SendCoreAsync(request, ct);
    }

    private async Task<T> SendAsync<T>(HttpRequestMessage request, JsonTypeInfo<T> type, CancellationToken ct)
    {
        using var response = await SendCoreAsync(request, ct);
        try
        {
            return await response.Content.ReadFromJsonAsync(type, ct)
                ?? throw new CalendlyException(CalendlyFailure.InvalidResponse, $"Calendly answered {Describe(request)} with an empty body.");
        }
        catch (JsonException e)
        {
            var where = e.Path is { Length: > 1 } path ? $" at {path}" : "";
            throw new CalendlyException(CalendlyFailure.InvalidResponse,
                $"Calendly's answer to {Describe(request)} is not the documented shape{where}: {FirstSentence(e.Message)}",
                (int)response.StatusCode, inner: e);
        }
    }

    private async Task<HttpResponseMessage> SendCoreAsync(HttpRequestMessage request, CancellationToken ct)
    {
        // The call as a whole, its attempts (HttpClient's spans) beneath it; null unless traces are exported.
        using var call = TelemetrySetup.Source.StartActivity("calendly call");
        call?.DisplayName = $"calendly {request.Method} {CalendlyResilience.RouteOf(request.RequestUri!)}";
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, ct);
        }
        catch (BrokenCircuitException e)
        {
            throw new CalendlyException(CalendlyFailure.Unavailable,
                "Calendly has been failing; calls are paused for a moment to let it recover.", inner: e);
        }
        catch (TimeoutRejectedException e)
        {
            throw new CalendlyException(CalendlyFailure.Unavailable, $"Calendly did not answer {Describe(request)} in time.", inner: e);
        }
        catch (HttpRequestException e)
        {
            throw new CalendlyException(CalendlyFailure.Unavailable,
                $"Calendly could not be reached for {Describe(request)}, or its answer broke off.", inner: e);
        }
        if (response.IsSuccessStatusCode) return response;
        call?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, $"{(int)response.StatusCode}");
        using (response)
            throw await FailureAsync(request, response, ct);
    }

    private static async Task<CalendlyException> FailureAsync(HttpRequestMessage request, HttpResponseMessage response, CancellationToken ct)
    {
        var status = (int)response.StatusCode;
        var text = await response.Content.ReadAsStringAsync(ct);
        if (request.RequestUri!.AbsolutePath.Contains("/oauth/", StringComparison.Ordinal))
        {
            var oauth = TryParse(text, CalendlyJson.Default.OAuthErrorBody);
            return oauth?.Error switch
            {
                "invalid_grant" => new CalendlyException(CalendlyFailure.ReconnectRequired,
                    "Calendly no longer accepts this connection's grant; the coach must reconnect Calendly.", status),
                "invalid_client" => new CalendlyException(CalendlyFailure.Unavailable,
                    "Calendly refused this app's client credentials (check CALENDLY_CLIENT_ID and CALENDLY_CLIENT_SECRET).", status),
                _ => FromStatus(request, status, oauth?.ErrorDescription ?? oauth?.Error, null),
            };
        }
        var body = TryParse(text, CalendlyJson.Default.CalendlyErrorBody);
        if (status == 403 && (body?.Title == "Insufficient scope" || body?.RequiredScopes is { Count: > 0 }))
            return ScopeMissing(status, body.RequiredScopes ?? []);
        if (status == 403 && body?.Message is { } refusal && PlanRefusals.Any(p => refusal.Contains(p, StringComparison.OrdinalIgnoreCase)))
            return new CalendlyException(CalendlyFailure.PlanRequired, $"Calendly's plan for this account does not allow this: {refusal}", status);
        return FromStatus(request, status, body?.Message, body?.Details is { Count: > 0 } details ? details : null,
            CalendlyResilience.RateLimitDelay(response, MaxRetryAfter));
    }

    // Longer than any window Calendly counts bookings in (a day), so its own figure always comes through.
    private static readonly TimeSpan MaxRetryAfter = TimeSpan.FromDays(1);

    /// <summary>
    /// How Calendly refuses what the account's plan lacks: webhooks since 2026-11-03, the older wording of the same, and
    /// the Scheduling API on Free before that date. Other 403s (roles, someone else's event) are not about the plan.
    /// </summary>
    private static readonly string[] PlanRefusals =
        ["Please upgrade to a paid Calendly account", "Please upgrade your Calendly account", "Upgrade your plan to access this feature"];

    /// <summary>In words anyone can act on: what to tick for the app, and that only reconnecting applies it (a grant keeps its scopes).</summary>
    private static CalendlyException ScopeMissing(int status, IReadOnlyList<string> requiredScopes)
    {
        var what = requiredScopes.Count == 0 ? "a scope this needs" : $"the scope this needs: {string.Join(", ", requiredScopes)}";
        return new(CalendlyFailure.ScopeMissing,
            $"Calendly did not grant this app {what}. Once it is ticked for the app in Calendly's developer console, the coach "
            + "must reconnect Calendly.", status, new { requiredScopes });
    }

    private static CalendlyException FromStatus(HttpRequestMessage request, int status, string? message, object? details,
        TimeSpan? retryAfter = null)
    {
        var said = message is null ? "" : $": {message}";
        return status switch
        {
            401 => new(CalendlyFailure.Unauthorized, $"Calendly refused the access token{said}", status),
            403 => new(CalendlyFailure.Forbidden, $"Calendly does not allow this{said}", status, details),
            404 => new(CalendlyFailure.NotFound, $"Calendly has no such resource{said}", status),
            409 => new(CalendlyFailure.Conflict, $"Calendly says it already exists{said}", status),
            429 => new(CalendlyFailure.RateLimited, "Calendly's rate limit was reached; try again in a minute.", status, retryAfter: retryAfter),
            >= 400 and < 500 when status != 408 && status != 424 =>
                new(CalendlyFailure.Rejected, $"Calendly rejected {Describe(request)}{said}", status, details),
            _ => new(CalendlyFailure.Unavailable, $"Calendly failed to answer {Describe(request)} ({status}){said}", status),
        };
    }

    private static T? TryParse<T>(string text, JsonTypeInfo<T> type) where T : class
    {
        try
        {
            return text.Length == 0 ? null : JsonSerializer.Deserialize(text, type);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>Method and path without the query: queries can hold emails, and tokens never appear in URLs.</summary>
    private static string Describe(HttpRequestMessage request) => $"{request.Method} {request.RequestUri!.AbsolutePath}";

    private static string FirstSentence(string message) => message.Split(". ")[0].TrimEnd('.') + ".";

    private static string Segment(string uuid) => Uri.EscapeDataString(uuid);

    private static string Count(int count) => Math.Clamp(count, 1, 100).ToString(CultureInfo.InvariantCulture);

    private static string? Time(DateTimeOffset? time) => time is { } instant ? IsoTime.Microseconds(instant) : null;

    private static string Query(params (string Name, string? Value)[] parameters)
    {
        var present = parameters.Where(p => p.Value is not null).Select(p => $"{p.Name}={Uri.EscapeDataString(p.Value!)}").ToArray();
        return present.Length == 0 ? "" : "?" + string.Join('&', present);
    }
}
