using System.Diagnostics;
using System.Globalization;
using App.Features.TokenRefresh;
using App.Infrastructure.Calendly;
using App.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace Benchmarks;

/// <summary>
/// The crash window of token refresh (issue 14 point 6): the built app as a separate process, its token-refresh job
/// running every second, is stopped in the middle of a burst of refreshes (every coach due at once), by SIGTERM (a
/// deploy, a scale-down) or by SIGKILL. A coach is lost when the refresh reached Calendly (the simulator rotated the
/// refresh token, killing the old one) and the new tokens were never saved: the stored refresh token is dead. After each
/// stop, an app in this process refreshes every coach once more; the ones Calendly answers invalid_grant are counted
/// lost (goal for SIGTERM: 0) and replaced by fresh coaches for the next round.
/// </summary>
[Benchmark("crash-window", "[rounds of each signal] [coaches] [token answer's body delay in ms]")]
public static class CrashWindowBenchmark
{
    private sealed record Round(string Signal, int Number, int BurstMs, int DelayMs, int InFlight, int ReachedCalendly, int Saved, int Lost, TimeSpan Exit);

    public static async Task RunAsync(string[] args)
    {
        var rounds = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 8;
        var coaches = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        var bodyDelayMs = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200;

        // Calendly's 8 token requests a minute per user would make the rounds wait a minute each; the window is the same.
        await using var simulator = await SimulatorServer.StartAsync(s => s with { TokenRequestsPerMinute = 100_000 });
        await using var database = await TestDatabase.CreateAsync();
        var settings = new Dictionary<string, string>
        {
            ["DATA_PROTECTION_KEK"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
            ["CALENDLY_USER_TOKEN_REQUESTS_PER_MINUTE"] = "1000",
            ["TOKEN_REFRESH_CONCURRENCY"] = coaches.ToString(CultureInfo.InvariantCulture),
            ["TOKEN_REFRESH_BATCH_SIZE"] = coaches.ToString(CultureInfo.InvariantCulture),
        };
        // This process's app connects coaches and checks them after each round; its jobs are off.
        await using var checker = BenchmarkApp.Start(simulator, database, BenchmarkApp.FreeLoopbackPort(), settings);
        for (var n = 0; n < coaches; n++) await checker.ConnectCoachAsync(database, simulator);
        if (bodyDelayMs > 0)
            // The answer's body trickles, as over a slow network: Calendly has rotated before the app has read it.
            await simulator.SetFaultsAsync(new { slowBodyMs = bodyDelayMs, endpoints = new[] { "POST /oauth/token" } });

        var results = new List<Round>();
        foreach (var signal in new[] { "TERM", "KILL" })
            for (var number = 1; number <= rounds; number++)
            {
                var round = await RunRoundAsync(signal, number, bodyDelayMs, simulator, database, checker, settings);
                results.Add(round);
                Console.WriteLine(BenchmarkApp.Format(
                    $"SIG{round.Signal} round {round.Number}: {round.DelayMs} ms into a burst of {round.BurstMs} ms, {round.InFlight} in flight, {round.ReachedCalendly} reached Calendly, {round.Saved} saved, {round.Lost} lost; exited in {round.Exit.TotalSeconds:F1} s"));
            }

        Console.WriteLine();
        Console.WriteLine("| signal | rounds | coaches | body delay | refreshes in flight at the signal | reached Calendly, not saved | coaches lost | lost / in flight | slowest exit |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        foreach (var bySignal in results.GroupBy(r => r.Signal))
        {
            var inFlight = bySignal.Sum(r => r.InFlight);
            var lost = bySignal.Sum(r => r.Lost);
            Console.WriteLine(BenchmarkApp.Format(
                $"| SIG{bySignal.Key} | {bySignal.Count()} | {coaches} | {bodyDelayMs} ms | {inFlight} | {bySignal.Sum(r => r.ReachedCalendly - r.Saved)} | **{lost}** | {(inFlight == 0 ? 0 : (double)lost / inFlight):F2} | {bySignal.Max(r => r.Exit).TotalSeconds:F1} s |"));
        }
    }

    private static async Task<Round> RunRoundAsync(string signal, int number, int bodyDelayMs, SimulatorServer simulator, TestDatabase database,
        BenchmarkApp checker, Dictionary<string, string> settings)
    {
        var port = AppProcesses.FreePort();
        var environment = new Dictionary<string, string>(settings)
        {
            ["DATABASE_URL"] = database.ConnectionString,
            ["PORT"] = port.ToString(CultureInfo.InvariantCulture),
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ALLOW_DEV_SIGN_IN"] = "true",
            ["METRICS_PORT"] = "0",
            ["Logging__LogLevel__Default"] = "Warning",
            ["TOKEN_REFRESH_ENABLED"] = "true",
            ["TOKEN_REFRESH_INTERVAL_SECONDS"] = "1",
            ["AVAILABILITY_SYNC_ENABLED"] = "false",
            ["WEBHOOK_HEALTH_ENABLED"] = "false",
            ["WEBHOOK_PROCESSING_ENABLED"] = "false",
        };
        foreach (var (name, value) in simulator.AppSettings()) environment[name] = value;
        // The app's warnings and errors, for when a round goes wrong.
        // The app's warnings and errors, for when a round goes wrong.
        using var app = AppProcesses.Start("App", environment, line => { if (line.Contains("\"LogLevel\":\"Error\"") || line.Contains("\"LogLevel\":\"Warning\"")) Console.Error.WriteLine(line); });
        try
        {
            await AppProcesses.WaitUntilAnswersAsync($"http://127.0.0.1:{port}/readyz");
            await using var db = await database.OpenAsync();
            // Bursts that run to the end first: the one interrupted is a warm process's, as in production, and the
            // length of the last (a warm one) is where the signal's random moment falls.
            await RunBurstAsync(db);
            var burst = await RunBurstAsync(db);
            var reachedBefore = await simulator.CountAsync("POST /oauth/token", "200");
            var savedBefore = await SavedAsync(db);

            // Every coach due at once; the job's next run (within a second) claims them all as one batch.
            await MakeEveryCoachDueAsync(db);
            await WaitUntilClaimedAsync(db);
            var delayMs = Random.Shared.Next(0, (int)burst.TotalMilliseconds + 1);
            await Task.Delay(delayMs);
            var inFlight = await InFlightAsync(db);
            var exit = Stopwatch.StartNew();
            using (var kill = Process.Start("kill", ["-s", signal, app.Id.ToString(CultureInfo.InvariantCulture)]))
                await kill.WaitForExitAsync();
            await app.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(90));
            exit.Stop();
            var reached = await simulator.CountAsync("POST /oauth/token", "200") - reachedBefore;
            var saved = await SavedAsync(db) - savedBefore;
            return new Round(signal, number, (int)burst.TotalMilliseconds, delayMs, inFlight, reached, saved, await CountLostAndReplaceAsync(db, database, simulator, checker), exit.Elapsed);
        }
        finally
        {
            if (!app.HasExited) app.Kill(entireProcessTree: true);
        }
    }

    // Leases a killed process held are released too, as their expiry would.
    private static Task MakeEveryCoachDueAsync(NpgsqlConnection db) => db.ExecuteAsync("""
        update calendly_integrations set expires_at = now() + interval '10 minutes', refresh_lease_until = null, next_refresh_at = null
        where status = 'active'
        """);

    /// <summary>Every coach due and refreshed by the job (each saved, or its failure recorded); how long from the claim to the end.</summary>
    private static async Task<TimeSpan> RunBurstAsync(NpgsqlConnection db)
    {
        await MakeEveryCoachDueAsync(db);
        await WaitUntilClaimedAsync(db);
        var burst = Stopwatch.StartNew();
        while (await InFlightAsync(db) > 0)
        {
            if (burst.Elapsed > TimeSpan.FromSeconds(60))
                throw new TimeoutException("The app's token-refresh job did not finish its batch: " + string.Join("; ", await db.QueryAsync<string>(
                    "select concat_ws(' ', status, refresh_lease_until > now(), next_refresh_at, last_refresh_error) from calendly_integrations"))
                    + " | " + string.Join("; ", await db.QueryAsync<string>(
                    "select concat_ws(' ', pid, application_name, state, wait_event, now() - xact_start, left(query, 80)) from pg_stat_activity where datname = current_database()")));
            await Task.Delay(5);
        }
        var length = burst.Elapsed;
        // The job's run claims once more after its batch (finding nothing due); coaches made due before that claim
        // would be leased by a run that has already seen them, and left for the lease to expire.
        await Task.Delay(500);
        return length;
    }

    private static async Task WaitUntilClaimedAsync(NpgsqlConnection db)
    {
        var waiting = Stopwatch.StartNew();
        while (await InFlightAsync(db) == 0)
        {
            if (waiting.Elapsed > TimeSpan.FromSeconds(30)) throw new TimeoutException("The app's token-refresh job did not claim the due coaches.");
            await Task.Delay(5);
        }
    }

    // Claimed by the job and not yet saved (saving clears the lease).
    private static Task<int> InFlightAsync(NpgsqlConnection db) =>
        db.ExecuteScalarAsync<int>("select count(*) from calendly_integrations where refresh_lease_until > now()");

    // Saved in the refresh's own transaction, so a count of what was committed.
    private static Task<int> SavedAsync(NpgsqlConnection db) =>
        db.ExecuteScalarAsync<int>("select count(*) from calendly_token_refreshes where outcome = 'refreshed'");

    /// <summary>
    /// Every coach refreshed once more: those whose stored
    /// refresh token Calendly has already rotated away become needs_reconnect. They are counted, then replaced.
    /// </summary>
    private static async Task<int> CountLostAndReplaceAsync(NpgsqlConnection db, TestDatabase database, SimulatorServer simulator, BenchmarkApp checker)
    {
        await MakeEveryCoachDueAsync(db);
        var services = checker.Services;
        var run = await TokenRefreshJob.RunOnceAsync(services.GetRequiredService<NpgsqlDataSource>(), services.GetRequiredService<CalendlyTokens>(),
            services.GetRequiredService<TokenRefreshOptions>(), TimeProvider.System, CancellationToken.None);
        var lost = await db.ExecuteScalarAsync<int>("select count(*) from calendly_integrations where status = 'needs_reconnect'");
        if (run.Failed != lost) throw new InvalidOperationException($"{run.Failed} refreshes failed, {lost} of them for a dead refresh token: the check is not clean.");
        await db.ExecuteAsync("delete from calendly_integrations where status = 'needs_reconnect'");
        for (var n = 0; n < lost; n++) await checker.ConnectCoachAsync(database, simulator);
        return lost;
    }
}
