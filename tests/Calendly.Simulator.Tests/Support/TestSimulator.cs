using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Calendly.Simulator.OAuth;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Calendly.Simulator.Tests.Support;

/// <summary>
/// The simulator on real Kestrel on a free loopback port (webhooks and browsers need a real socket), with test-friendly
/// settings: short webhook retries and extra OAuth clients. Most tests share one per session; tests that move the
/// clock or reset the world start their own.
/// </summary>
public sealed class TestSimulator : IAsyncDisposable
{
    public static readonly OAuthClient OtherClient =
        new("other-client", "other-secret", ["http://127.0.0.1:1/callback"]) { WebhookSigningKey = "other-client-signing-key" };

    /// <summary>A 2026 app with two scopes ticked.</summary>
    public static readonly OAuthClient ScopedClient =
        new("scoped-client", "scoped-secret", ["http://127.0.0.1:1/scoped-callback"]) { Scopes = [Scopes.UsersRead, Scopes.ScheduledEventsWrite] };

    public static readonly SimulatorSettings DefaultSettings = new()
    {
        Port = 0,
        OAuthClients = [OAuthClient.Development(), OtherClient, ScopedClient],
        WebhookRetryBaseDelay = TimeSpan.FromMilliseconds(50),
        WebhookRetryMaxDelay = TimeSpan.FromMilliseconds(200),
        WebhookConnectTimeout = TimeSpan.FromSeconds(2),
        WebhookReadTimeout = TimeSpan.FromSeconds(2),
    };

    private TestSimulator(WebApplication app, CapturedErrors errors)
    {
        Errors = errors;
        App = app;
        BaseUrl = app.BaseUrl();
        Http = NewClient();
    }

    public WebApplication App { get; }
    public CapturedErrors Errors { get; }
    public string BaseUrl { get; }

    /// <summary>No bearer token, no redirects followed: control endpoints, OAuth, pages.</summary>
    public HttpClient Http { get; }

    public static async Task<TestSimulator> StartAsync(SimulatorSettings? settings = null)
    {
        var errors = new CapturedErrors();
        var app = SimulatorHost.Build((settings ?? DefaultSettings) with { Port = 0 }, builder =>
        {
            builder.Logging.ClearProviders().AddProvider(errors);
        });
        await app.StartAsync();
        return new TestSimulator(app, errors);
    }

    public T Service<T>() where T : notnull => App.Services.GetRequiredService<T>();

    public HttpClient NewClient(string? accessToken = null)
    {
        var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = new Uri(BaseUrl) };
        if (accessToken is not null) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        return client;
    }

    /// <summary>A fresh account in a fresh organization (unless one is named), with a token pair: isolated from other tests.</summary>
    public async Task<SimAccount> NewAccountAsync(string? plan = null, string? organization = null, string? role = null, string timezone = "UTC")
    {
        var created = await PostJsonAsync("/_sim/users", new { count = 1, plan, organization, role, timezone });
        var user = created.GetProperty("users")[0];
        return await AccountForAsync(user.GetProperty("uri").GetString()!);
    }

    public Task<SimAccount> SeededAccountAsync(string slug = "casey-rivera") => AccountForAsync(SeededUserUri(slug));

    /// <summary>A token pair of the user; the scope is narrowed to the client's registered ones, as /oauth/authorize does.</summary>
    public async Task<SimAccount> AccountForAsync(string userUri, string? scope = null, string? clientId = null)
    {
        var tokens = await PostJsonAsync("/_sim/tokens", new { user = userUri, scope, clientId });
        var accessToken = tokens.GetProperty("access_token").GetString()!;
        return new SimAccount(userUri, tokens.GetProperty("organization").GetString()!, accessToken,
            tokens.GetProperty("refresh_token").GetString()!, NewClient(accessToken));
    }

    /// <summary>Seeded user URIs are stable: the uuid is derived from the seed and the slug.</summary>
    public string SeededUserUri(string slug) => $"{BaseUrl}/users/{SeededId($"user:{slug}")}";

    public string SeededId(string key) => World.IdSource.Seeded(Service<SimulatorSettings>().Seed).For(key);

    public async Task<JsonElement> PostJsonAsync(string path, object body)
    {
        using var response = await Http.PostAsJsonAsync(path, body);
        var json = await response.JsonAsync();
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"POST {path} → {(int)response.StatusCode}: {json} {string.Join('\n', Errors.Entries)}");
        return json;
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await App.StopAsync();
        await App.DisposeAsync();
    }
}
