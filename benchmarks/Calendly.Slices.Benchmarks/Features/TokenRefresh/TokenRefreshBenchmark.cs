extern alias simulator;

using System.Diagnostics;
using System.Globalization;
using App.Features.TokenRefresh;
using App.Infrastructure.Calendly;
using App.Infrastructure.Configuration;
using App.Tests.Support;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace Benchmarks;

/// <summary>
/// Refreshes N expiring integrations with the TokenRefresh job against the simulator, whose token endpoint allows
/// L requests a minute over all users. The floor is N / L minutes; the figures are the run's time as a ratio of that
/// floor (goal ≤ 1.1), token requests per integration (goal exactly 1.0) and the process's peak memory.
/// </summary>
[Benchmark("token-refresh", "[integrations] [limitPerMinute]", InAll = ["2000", "12000"], Order = 3)]
public static class TokenRefreshBenchmark
{
    public static async Task RunAsync(string[] args)
    {
        var integrations = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 10_000;
        var limitPerMinute = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 12_000;

        await using var simulator = await SimulatorServer.StartAsync(s => s with { GlobalTokenRequestsPerMinute = limitPerMinute });
        await using var database = await TestDatabase.CreateAsync();
        await using var app = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSolutionRelativeContentRoot("src/App");
            builder.UseSetting("DATABASE_URL", database.ConnectionString);
            foreach (var (name, value) in simulator.AppSettings()) builder.UseSetting(name, value);
            // Only the work being measured runs: no background job adds calls to Calendly or to the database.
            builder.UseSetting("TOKEN_REFRESH_ENABLED", "false");
            builder.UseSetting("AVAILABILITY_SYNC_ENABLED", "false");
            builder.UseSetting("WEBHOOK_HEALTH_ENABLED", "false");
            builder.UseSetting("CALENDLY_TOKEN_REQUESTS_PER_MINUTE", limitPerMinute.ToString(CultureInfo.InvariantCulture));
            builder.UseSetting("TOKEN_REFRESH_CONCURRENCY", "32");
            builder.UseSetting("TOKEN_REFRESH_BATCH_SIZE", "500");
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        });
        var services = app.Services;

        Console.WriteLine($"Setting up {integrations} connected coaches…");
        var setup = Stopwatch.StartNew();
        var accounts = new List<SimulatorServer.SimUser>();
        while (accounts.Count < integrations)
            accounts.AddRange(await simulator.CreateUsersAsync(Math.Min(1000, integrations - accounts.Count)));
        await Parallel.ForEachAsync(accounts, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (account, _) =>
        {
            long userId;
            await using (var db = await database.OpenAsync())
                userId = await db.ExecuteScalarAsync<long>(
                    "insert into users (external_id, email, role) values (@Uuid, @Email, 'coach') returning id", new { account.Uuid, account.Email });
            var tokens = await simulator.IssueTokensAsync(account.Uri);
            var saved = await services.GetRequiredService<CalendlyTokens>().SaveConnectionAsync(userId,
                new TokenResponse(tokens.AccessToken, tokens.RefreshToken, "Bearer", tokens.ExpiresIn, tokens.CreatedAt, tokens.Owner, tokens.Organization, "default"),
                new CalendlyUser(account.Uri, account.Email, account.Uuid, account.Email, account.SchedulingUrl, "UTC", null,
                    DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, tokens.Organization),
                CancellationToken.None);
            if (!saved) throw new InvalidOperationException("duplicate account");
        });
        await using (var db = await database.OpenAsync())
            await db.ExecuteAsync("update calendly_integrations set expires_at = now() + interval '10 minutes'");
        Console.WriteLine($"Set up in {setup.Elapsed.TotalSeconds:F1} s.");

        var tokenRequestsBefore = await simulator.CountAsync("POST /oauth/token");
        var rejectedBefore = await simulator.CountAsync("POST /oauth/token", "429");
        GC.Collect();
        var workingSetBefore = Process.GetCurrentProcess().WorkingSet64;
        var run = await TokenRefreshJob.RunOnceAsync(services.GetRequiredService<NpgsqlDataSource>(), services.GetRequiredService<CalendlyTokens>(),
            services.GetRequiredService<TokenRefreshOptions>(), TimeProvider.System, CancellationToken.None);
        var peak = Process.GetCurrentProcess().PeakWorkingSet64;

        var tokenRequests = await simulator.CountAsync("POST /oauth/token") - tokenRequestsBefore;
        var rejected = await simulator.CountAsync("POST /oauth/token", "429") - rejectedBefore;
        var floor = TimeSpan.FromMinutes((double)integrations / limitPerMinute);
        Console.WriteLine();
        Console.WriteLine($"| integrations | token limit / min | floor | run | ratio to floor | refreshed | failed | token requests / integration | 429s | working set before | peak working set |");
        Console.WriteLine($"|---|---|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {integrations} | {limitPerMinute} | {floor.TotalSeconds:F1} s | {run.Duration.TotalSeconds:F1} s | {run.Duration / floor:F3} | {run.Refreshed} | {run.Failed} | {(double)(tokenRequests - rejected) / integrations:F3} (+{rejected} refused and retried) | {rejected} | {workingSetBefore / 1048576} MiB | {peak / 1048576} MiB |"));
        Summary.Add($"token refresh: {integrations} expiring integrations at {limitPerMinute} token requests/min, run ÷ the limit's floor",
            Summary.Number(run.Duration.TotalSeconds, "F1") + " s", Summary.Number(floor.TotalSeconds, "F1") + " s",
            Summary.Number(run.Duration / floor), "≤ 1.1", run.Duration / floor <= 1.1 && run.Failed == 0);
        Summary.Add("token refresh: token requests per integration (429s refused and retried not counted)",
            Summary.Number((double)(tokenRequests - rejected) / integrations), "1", "–", "1.000", tokenRequests - rejected == integrations);
    }
}
