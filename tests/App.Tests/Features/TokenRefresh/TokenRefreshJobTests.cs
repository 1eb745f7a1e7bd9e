using App.Features.TokenRefresh;
using App.Infrastructure.Calendly;
using App.Infrastructure.Configuration;
using App.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace App.Tests.Features.TokenRefresh;

public sealed class TokenRefreshJobTests
{
    [Test]
    public async Task Two_hosts_share_500_expiring_integrations_without_refreshing_any_twice()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var hosts = new[] { await calendly.StartAppAsync(), await calendly.StartAppAsync() };
        var accounts = await calendly.Simulator.CreateUsersAsync(500);
        await Parallel.ForEachAsync(accounts, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (account, _) =>
        {
            var userId = await ConnectedCoaches.CreateUserAsync(calendly.Database, $"job-{account.Uuid}", "coach");
            await ConnectedCoaches.SaveAsync(hosts[0], userId, account, await calendly.Simulator.IssueTokensAsync(account.Uri));
        });
        await using (var db = await calendly.Database.OpenAsync())
            await db.ExecuteAsync("update calendly_integrations set expires_at = now() + interval '10 minutes'");
        var tokenRequestsBefore = await calendly.Simulator.CountAsync("POST /oauth/token");

        var runs = await Task.WhenAll(hosts.Select(RunAsync));

        await Assert.That(runs.Sum(r => r.Refreshed)).IsEqualTo(500);
        await Assert.That(runs.Sum(r => r.Failed)).IsEqualTo(0);
        await Assert.That(runs.All(r => r.Refreshed > 0)).IsTrue();
        await Assert.That(await calendly.Simulator.CountAsync("POST /oauth/token") - tokenRequestsBefore).IsEqualTo(500);
        await using var check = await calendly.Database.OpenAsync();
        await Assert.That(await check.ExecuteScalarAsync<int>(
            "select count(*) from calendly_integrations where last_refreshed_at is null or expires_at < now() + interval '1 hour'")).IsEqualTo(0);
    }

    [Test]
    public async Task The_hosted_job_refreshes_a_due_coach_by_itself()
    {
        // A database of its own: a running job claims every due row it can see.
        await using var calendly = await IsolatedCalendly.StartAsync();
        var host = await calendly.StartAppAsync(new Dictionary<string, string>
        {
            ["TOKEN_REFRESH_ENABLED"] = "true",
            ["TOKEN_REFRESH_INTERVAL_SECONDS"] = "1",
        });
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        await ConnectedCoaches.ExpireSoonAsync(calendly.Database, coach.UserId, TimeSpan.FromMinutes(10));

        // No run by hand: only the worker's own loop can refresh it.
        await using var db = await calendly.Database.OpenAsync();
        var refreshedAt = (DateTimeOffset?)null;
        for (var deadline = DateTime.UtcNow.AddSeconds(60); refreshedAt is null && DateTime.UtcNow < deadline; await Task.Delay(100))
            refreshedAt = await db.ExecuteScalarAsync<DateTimeOffset?>(
                "select last_refreshed_at from calendly_integrations where user_id = @UserId and expires_at > now() + interval '1 hour'",
                new { coach.UserId });

        await Assert.That(refreshedAt).IsNotNull();
        await Assert.That(await calendly.Simulator.CountAsync("POST /oauth/token", "200")).IsEqualTo(1);
    }

    private static Task<TokenRefreshJob.RunResult> RunAsync(Alba.IAlbaHost host) =>
        TokenRefreshJob.RunOnceAsync(host.Services.GetRequiredService<NpgsqlDataSource>(),
            host.Services.GetRequiredService<CalendlyTokens>(), host.Services.GetRequiredService<TokenRefreshOptions>(),
            TimeProvider.System, CancellationToken.None);

    [Test]
    public async Task Failed_refreshes_back_off_and_are_not_retried_before_their_time()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var host = await calendly.StartAppAsync(new Dictionary<string, string> { ["CALENDLY_MAX_RETRIES"] = "0" });
        await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        await using (var db = await calendly.Database.OpenAsync())
            await db.ExecuteAsync("update calendly_integrations set expires_at = now() + interval '10 minutes'");
        await calendly.Simulator.SetFaultsAsync(new { errorRate = 1.0, endpoints = new[] { "/oauth/token" } });

        var failedRun = await RunAsync(host);
        var tokenRequests = await calendly.Simulator.CountAsync("POST /oauth/token");
        var nextRun = await RunAsync(host);

        await Assert.That(failedRun.Failed).IsEqualTo(2);
        await Assert.That(nextRun.Refreshed + nextRun.Failed).IsEqualTo(0);
        await Assert.That(await calendly.Simulator.CountAsync("POST /oauth/token")).IsEqualTo(tokenRequests);
        await using var check = await calendly.Database.OpenAsync();
        var rows = (await check.QueryAsync<(string Status, int FailedRefreshCount, DateTimeOffset NextRefreshAt)>(
            "select status, failed_refresh_count, next_refresh_at from calendly_integrations")).ToList();
        foreach (var row in rows)
        {
            await Assert.That(row.Status).IsEqualTo("active");
            await Assert.That(row.FailedRefreshCount).IsEqualTo(1);
            await Assert.That(row.NextRefreshAt).IsGreaterThan(DateTimeOffset.UtcNow);
        }
    }

    [Test]
    [NeedsSlices("Status")]
    public async Task Transient_failures_never_end_a_connection_and_the_card_warns_after_the_set_count()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var host = await calendly.StartAppAsync(new Dictionary<string, string>
        {
            ["CALENDLY_MAX_RETRIES"] = "0", ["CALENDLY_REFRESH_MAX_FAILURES"] = "2",
        });
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        var browser = await ConnectedCoaches.SignedInAsync(host, coach.ExternalId, "coach");
        await using var db = await calendly.Database.OpenAsync();
        await db.ExecuteAsync("update calendly_integrations set expires_at = now() + interval '10 minutes'");
        await calendly.Simulator.SetFaultsAsync(new { errorRate = 1.0, endpoints = new[] { "/oauth/token" } });

        // Four failed refreshes in a row, each as soon as it is allowed (Calendly answering 5xx for a long while).
        var cards = new List<string>();
        for (var run = 0; run < 4; run++)
        {
            await db.ExecuteAsync("update calendly_integrations set next_refresh_at = null");
            await Assert.That((await RunAsync(host)).Failed).IsEqualTo(1);
            cards.Add(await (await browser.GetAsync("/calendly/status", htmx: true)).Content.ReadAsStringAsync());
        }

        var row = await db.QuerySingleAsync<(string Status, int FailedRefreshCount, DateTimeOffset NextRefreshAt)>(
            "select status, failed_refresh_count, next_refresh_at from calendly_integrations");
        await Assert.That(row.Status).IsEqualTo("active");
        await Assert.That(row.FailedRefreshCount).IsEqualTo(4);
        await Assert.That(row.NextRefreshAt).IsGreaterThan(DateTimeOffset.UtcNow);
        await Assert.That(cards.Select(card => card.Contains("We keep trying"))).IsEquivalentTo([false, true, true, true], TUnit.Assertions.Enums.CollectionOrdering.Matching);
        await Assert.That(cards.All(card => !card.Contains("Reconnect Calendly"))).IsTrue();
    }

    [Test]
    public async Task A_run_leaves_no_lease_on_a_coach_it_refreshed_whose_new_token_is_still_within_the_window()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        // A window longer than the tokens Calendly issues: a refreshed coach is still "expiring" at the run's next claim.
        var host = await calendly.StartAppAsync(new Dictionary<string, string> { ["TOKEN_REFRESH_WINDOW_SECONDS"] = "604800" });
        var coach = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);

        var run = await RunAsync(host);

        await Assert.That(run.Refreshed).IsEqualTo(1);
        await using var check = await calendly.Database.OpenAsync();
        // A lease would keep every instance from refreshing it for five minutes, though nobody is refreshing it.
        await Assert.That(await check.ExecuteScalarAsync<DateTimeOffset?>(
            "select refresh_lease_until from calendly_integrations where user_id = @UserId", new { coach.UserId })).IsNull();
    }

    [Test]
    public async Task A_dead_grant_needs_reconnecting_and_the_run_goes_on()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var host = await calendly.StartAppAsync();
        var healthy = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        var dead = await ConnectedCoaches.ConnectAsync(host, calendly.Database, calendly.Simulator);
        await using (var db = await calendly.Database.OpenAsync())
            await db.ExecuteAsync("update calendly_integrations set expires_at = now() + interval '10 minutes'");
        // The refresh token the app holds is spent elsewhere (a lost rotation looks exactly like this).
        await host.Services.GetRequiredService<CalendlyClient>().RefreshAsync(dead.Tokens.RefreshToken, CancellationToken.None);

        var run = await RunAsync(host);

        await Assert.That(run.Refreshed).IsEqualTo(1);
        await Assert.That(run.Failed).IsEqualTo(1);
        await using var check = await calendly.Database.OpenAsync();
        await Assert.That(await check.ExecuteScalarAsync<string>("select status from calendly_integrations where user_id = @UserId",
            new { dead.UserId })).IsEqualTo("needs_reconnect");
        await Assert.That(await check.ExecuteScalarAsync<string>("select status from calendly_integrations where user_id = @UserId",
            new { healthy.UserId })).IsEqualTo("active");
    }
}
