extern alias simulator;

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Logging;
using Sim = simulator::Calendly.Simulator;

namespace App.Tests.Support;

/// <summary>
/// The Calendly simulator as the app meets it: a real HTTP server on a free loopback port. Holds the app's OAuth
/// client registration (its callback on the app's base URL) and drives the consent page and /_sim controls.
/// </summary>
public sealed partial class SimulatorServer : IAsyncDisposable
{
    /// <summary>Where the in-memory app pretends to live: only the OAuth redirect URI mentions it.</summary>
    public const string AppBaseUrl = "http://app.test";
    private readonly WebApplication _app;
    private readonly string _appBaseUrl;

    private SimulatorServer(WebApplication app, string appBaseUrl)
    {
        _app = app;
        _appBaseUrl = appBaseUrl;
        BaseUrl = Sim.SimulatorHost.BaseUrl(app).TrimEnd('/');
        Http = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(BaseUrl + "/") };
    }

    public string BaseUrl { get; }

    /// <summary>Talks to the simulator directly (consent page, /_sim controls, its API with a token).</summary>
    public HttpClient Http { get; }

    public static async Task<SimulatorServer> StartAsync(Func<Sim.SimulatorSettings, Sim.SimulatorSettings>? configure = null,
        string appBaseUrl = AppBaseUrl)
    {
        var settings = new Sim.SimulatorSettings
        {
            Port = 0,
            OAuthClients = [Sim.OAuth.OAuthClient.Development(redirectUri: $"{appBaseUrl}/api/calendly/oauth/callback")],
        };
        var app = Sim.SimulatorHost.Build(configure?.Invoke(settings) ?? settings,
            builder => builder.Logging.SetMinimumLevel(LogLevel.Warning));
        await app.StartAsync();
        return new SimulatorServer(app, appBaseUrl);
    }

    /// <summary>What the app needs to talk to this simulator.</summary>
    public Dictionary<string, string> AppSettings() => new()
    {
        ["CALENDLY_API_BASE_URL"] = BaseUrl,
        ["CALENDLY_AUTH_BASE_URL"] = BaseUrl,
        ["PUBLIC_BASE_URL"] = _appBaseUrl,
    };

    /// <summary>Opens the consent page at <paramref name="authorizeUrl"/>, picks the account, and answers Allow or Deny.</summary>
    public async Task<Uri> ConsentAsync(Uri authorizeUrl, bool allow = true, string? accountUuid = null)
    {
        var page = await Http.GetStringAsync(authorizeUrl);
        var form = HiddenField().Matches(page).ToDictionary(m => WebUtility.HtmlDecode(m.Groups[1].Value), m => WebUtility.HtmlDecode(m.Groups[2].Value));
        form["account"] = accountUuid ?? WebUtility.HtmlDecode(SelectedAccount().Match(page).Groups[1].Value);
        form["decision"] = allow ? "allow" : "deny";
        var response = await Http.PostAsync("oauth/authorize", new FormUrlEncodedContent(form));
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"Consent answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.Headers.Location!;
    }

    /// <param name="Name">The account's name, as GET /users/me gives it: what the app calls the coach.</param>
    public sealed record SimUser(string Uri, string Uuid, string Email, string SchedulingUrl, IReadOnlyList<string> EventTypes, string Name);

    private sealed record CreatedUsers(string Organization, IReadOnlyList<SimUser> Users);

    public async Task<IReadOnlyList<SimUser>> CreateUsersAsync(int count)
    {
        var response = await Http.PostAsJsonAsync("_sim/users", new { count });
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<CreatedUsers>(Browser.Json))!.Users;
    }

    public sealed record SimTokens(string AccessToken, string RefreshToken, int ExpiresIn, long CreatedAt, string Owner, string Organization,
        string Scope);

    /// <summary>Tokens as the token endpoint issues them; <paramref name="scope"/> (space-separated) narrows the grant.</summary>
    public async Task<SimTokens> IssueTokensAsync(string userUri, string? scope = null)
    {
        var response = await Http.PostAsJsonAsync("_sim/tokens", new { user = userUri, scope });
        response.EnsureSuccessStatusCode();
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        return new SimTokens(json.GetProperty("access_token").GetString()!, json.GetProperty("refresh_token").GetString()!,
            json.GetProperty("expires_in").GetInt32(), json.GetProperty("created_at").GetInt64(),
            json.GetProperty("owner").GetString()!, json.GetProperty("organization").GetString()!, json.GetProperty("scope").GetString()!);
    }

    /// <summary>Every scope Calendly has: what the app's client is registered for unless a test narrows it.</summary>
    public static IReadOnlyList<string> EveryScope => Sim.OAuth.Scopes.Catalog;

    /// <summary>Ticks the scopes of the app's OAuth client, as Calendly's developer console does; later grants get them.</summary>
    public async Task SetClientScopesAsync(IReadOnlyList<string> scopes) =>
        (await Http.PatchAsJsonAsync($"_sim/oauth_clients/{Sim.OAuth.OAuthClient.DevelopmentClientId}", new { scopes })).EnsureSuccessStatusCode();

    /// <summary>The first free start time of an event type in the coming week, as Calendly lists it.</summary>
    public async Task<DateTimeOffset> FirstFreeSlotAsync(string accessToken, string eventTypeUri)
    {
        var from = DateTimeOffset.UtcNow.AddHours(1).ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture);
        var to = DateTimeOffset.UtcNow.AddDays(6).ToString("yyyy-MM-ddTHH:mm:ss.ffffffZ", System.Globalization.CultureInfo.InvariantCulture);
        using var request = new HttpRequestMessage(HttpMethod.Get,
            $"event_type_available_times?event_type={Uri.EscapeDataString(eventTypeUri)}&start_time={from}&end_time={to}");
        request.Headers.Authorization = new("Bearer", accessToken);
        var response = await Http.SendAsync(request);
        response.EnsureSuccessStatusCode();
        var slots = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("collection");
        return slots[0].GetProperty("start_time").GetDateTimeOffset();
    }

    public sealed record SimBooking(string Event, string Invitee, string CancelUrl, string RescheduleUrl);

    /// <summary>Books like an invitee on Calendly's page would (POST /_sim/bookings), with the widget's tracking.</summary>
    public async Task<SimBooking> BookAsync(string eventTypeUri, DateTimeOffset start, string email, string? utmContent = null)
    {
        var response = await Http.PostAsJsonAsync("_sim/bookings", new
        {
            eventTypeUri, startTime = start, inviteeEmail = email, inviteeName = email.Split('@')[0],
            tracking = new { utmSource = "calendly-slices", utmContent },
        });
        if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"Booking failed: {await response.Content.ReadAsStringAsync()}");
        return (await response.Content.ReadFromJsonAsync<SimBooking>(Browser.Json))!;
    }

    public async Task SetFaultsAsync(object rule) => (await Http.PostAsJsonAsync("_sim/faults", rule)).EnsureSuccessStatusCode();

    public async Task ClearFaultsAsync() => (await Http.DeleteAsync("_sim/faults")).EnsureSuccessStatusCode();

    public async Task AdvanceClockAsync(TimeSpan by) =>
        (await Http.PostAsJsonAsync("_sim/clock", new { advanceSeconds = by.TotalSeconds })).EnsureSuccessStatusCode();

    /// <summary>How many requests the simulator answered for a route ("POST /oauth/token"), whatever the status.</summary>
    public async Task<int> CountAsync(string route)
    {
        var stats = JsonDocument.Parse(await Http.GetStringAsync("_sim/stats")).RootElement;
        return stats.TryGetProperty(route, out var byStatus) ? byStatus.EnumerateObject().Sum(s => s.Value.GetInt32()) : 0;
    }

    /// <summary>How many requests for a route the simulator answered with one status ("POST /oauth/token", "200").</summary>
    public async Task<int> CountAsync(string route, string status)
    {
        var stats = JsonDocument.Parse(await Http.GetStringAsync("_sim/stats")).RootElement;
        return stats.TryGetProperty(route, out var byStatus) && byStatus.TryGetProperty(status, out var count) ? count.GetInt32() : 0;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        // Stop first: background workers (webhook deliveries) then end as on any shutdown rather than being torn down.
        await _app.StopAsync();
        await _app.DisposeAsync();
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]*)\"")]
    private static partial Regex HiddenField();

    [GeneratedRegex("<option value=\"([^\"]+)\" selected")]
    private static partial Regex SelectedAccount();
}
