using App.Infrastructure.Calendly;
using App.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Infrastructure;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class TokenLifecycleTests(AppFixture app)
{
    private CalendlyCalls Calls => app.Host.Services.GetRequiredService<CalendlyCalls>();

    private Task<CalendlyUser> MeAsync(long userId) =>
        Calls.RunAsync(userId, (client, token) => client.GetCurrentUserAsync(token, CancellationToken.None), CancellationToken.None);

    private async Task<(string Status, DateTimeOffset ExpiresAt, DateTimeOffset? LastRefreshedAt)> RowAsync(long userId)
    {
        await using var db = await app.Database.OpenAsync();
        return await db.QuerySingleAsync<(string, DateTimeOffset, DateTimeOffset?)>(
            "select status, expires_at, last_refreshed_at from calendly_integrations where user_id = @userId", new { userId });
    }

    private Task RevokeAtCalendlyAsync(string token) => RevokeAtCalendlyAsync(app.Simulator, token);

    private static async Task RevokeAtCalendlyAsync(SimulatorServer simulator, string token)
    {
        var response = await simulator.Http.PostAsync("oauth/revoke", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["client_id"] = App.Infrastructure.Configuration.CalendlyOptions.DevClientId,
            ["client_secret"] = App.Infrastructure.Configuration.CalendlyOptions.DevClientSecret,
            ["token"] = token,
        }));
        response.EnsureSuccessStatusCode();
    }

    [Test]
    public async Task A_connected_coach_s_calls_use_their_token()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        var me = await MeAsync(coach.UserId);
        await Assert.That(me.Uri).IsEqualTo(coach.Account.Uri);
    }

    [Test]
    public async Task A_token_that_expires_within_the_skew_is_refreshed_before_the_call()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        await ConnectedCoaches.ExpireSoonAsync(app.Database, coach.UserId, TimeSpan.FromSeconds(30));

        await MeAsync(coach.UserId);

        var row = await RowAsync(coach.UserId);
        await Assert.That(row.LastRefreshedAt).IsNotNull();
        await Assert.That(row.ExpiresAt).IsGreaterThan(DateTimeOffset.UtcNow.AddHours(1));
    }

    [Test]
    public async Task A_401_refreshes_once_and_replays_the_call()
    {
        // A simulator of its own, so that its request counts are this test's alone.
        await using var calendly = await IsolatedCalendly.StartAsync();
        var host = await calendly.StartAppAsync();
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        await RevokeAtCalendlyAsync(calendly.Simulator, coach.Tokens.AccessToken);
        var tokenRequests = await calendly.Simulator.CountAsync("POST /oauth/token");
        var meRequests = await calendly.Simulator.CountAsync("GET /users/me");

        var me = await host.Services.GetRequiredService<CalendlyCalls>().RunAsync(coach.UserId,
            (client, accessToken) => client.GetCurrentUserAsync(accessToken, CancellationToken.None), CancellationToken.None);

        await Assert.That(me.Uri).IsEqualTo(coach.Account.Uri);
        await Assert.That(await calendly.Simulator.CountAsync("POST /oauth/token")).IsEqualTo(tokenRequests + 1);
        await Assert.That(await calendly.Simulator.CountAsync("GET /users/me")).IsEqualTo(meRequests + 2); // refused, then replayed
    }

    [Test]
    public async Task A_refresh_rotates_the_refresh_token_and_the_old_one_is_dead()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        await ConnectedCoaches.ExpireSoonAsync(app.Database, coach.UserId, TimeSpan.Zero);
        await MeAsync(coach.UserId);

        var client = app.Host.Services.GetRequiredService<CalendlyClient>();
        var reuse = await Assert.That(() => (Task)client.RefreshAsync(coach.Tokens.RefreshToken, CancellationToken.None)).Throws<CalendlyException>();
        await Assert.That(reuse!.Failure).IsEqualTo(CalendlyFailure.ReconnectRequired);
    }

    [Test]
    public async Task A_dead_refresh_token_marks_the_connection_needs_reconnect()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        await RevokeAtCalendlyAsync(coach.Tokens.RefreshToken);
        await RevokeAtCalendlyAsync(coach.Tokens.AccessToken);

        var error = await Assert.That(() => (Task)MeAsync(coach.UserId)).Throws<CalendlyException>();
        await Assert.That(error!.Failure).IsEqualTo(CalendlyFailure.ReconnectRequired);
        await Assert.That(error.Code).IsEqualTo("calendly_reconnect_required");
        await Assert.That((await RowAsync(coach.UserId)).Status).IsEqualTo(CalendlyTokens.NeedsReconnect);

        // And it stays that way without asking Calendly again until the coach reconnects.
        var again = await Assert.That(() => (Task)MeAsync(coach.UserId)).Throws<CalendlyException>();
        await Assert.That(again!.Failure).IsEqualTo(CalendlyFailure.ReconnectRequired);
    }

    [Test]
    public async Task Reconnecting_resets_the_connection()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        await app.Host.Services.GetRequiredService<CalendlyTokens>().MarkNeedsReconnectAsync(coach.UserId, "test", CancellationToken.None);

        await ConnectedCoaches.SaveAsync(app.Host, coach.UserId, coach.Account, await app.Simulator.IssueTokensAsync(coach.Account.Uri));

        await Assert.That((await RowAsync(coach.UserId)).Status).IsEqualTo(CalendlyTokens.Active);
        await Assert.That((await MeAsync(coach.UserId)).Uri).IsEqualTo(coach.Account.Uri);
    }

    [Test]
    public async Task Malformed_upstream_json_is_a_typed_error_naming_the_problem()
    {
        var coach = await ConnectedCoaches.ConnectAsync(app.Host, app.Database, app.Simulator);
        await app.Simulator.SetFaultsAsync(new { malformedJson = true, user = coach.Account.Uri });
        try
        {
            var error = await Assert.That(() => (Task)MeAsync(coach.UserId)).Throws<CalendlyException>();
            await Assert.That(error!.Failure).IsEqualTo(CalendlyFailure.InvalidResponse);
            await Assert.That(error.StatusCode).IsEqualTo(502);
            await Assert.That(error.Message).Contains("GET /users/me");
        }
        finally
        {
            await app.Simulator.Http.DeleteAsync($"_sim/faults?user={Uri.EscapeDataString(coach.Account.Uri)}");
        }
    }

    [Test]
    public async Task A_user_without_a_connection_gets_calendly_not_connected()
    {
        var userId = await ConnectedCoaches.CreateUserAsync(app.Database, $"lonely-{Guid.NewGuid():N}", "coach");
        var error = await Assert.That(() => (Task)MeAsync(userId)).Throws<CalendlyException>();
        await Assert.That(error!.Code).IsEqualTo("calendly_not_connected");
        await Assert.That(error.StatusCode).IsEqualTo(409);
    }
}
