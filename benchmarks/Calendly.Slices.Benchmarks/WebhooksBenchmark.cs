using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using App.Features.Webhooks;
using App.Infrastructure.Calendly;
using App.Infrastructure.Configuration;
using App.Tests.Support;
using Dapper;
using Npgsql;

namespace Benchmarks;

/// <summary>
/// Signed deliveries per second acknowledged and durably stored, as a ratio of pgbench inserting the same rows into the
/// same PostgreSQL in the same run (goal ≥ 0.5), with nothing lost or duplicated; and the lag from delivery to processed
/// (p50, p99) with the processor running at that load.
/// </summary>
public static class WebhooksBenchmark
{
    private const int Concurrency = 32;

    public static async Task RunAsync(string[] args)
    {
        var deliveries = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 5000;
        // With the processor off, only the acknowledging path is measured (no lag figures).
        var processing = args.Length <= 1 || args[1] != "ingest-only";
        var port = BenchmarkApp.FreeLoopbackPort();
        await using var simulator = await SimulatorServer.StartAsync(appBaseUrl: $"http://127.0.0.1:{port}");
        await using var database = await TestDatabase.CreateAsync();
        await using var app = BenchmarkApp.Start(simulator, database, port, new Dictionary<string, string> { ["WEBHOOK_PROCESSING_ENABLED"] = processing ? "true" : "false" });
        var (coachId, account) = await app.ConnectCoachAsync(database, simulator);

        var bodies = Enumerable.Range(0, deliveries).Select(i => Delivery(simulator.BaseUrl, account.Uri, i)).ToArray();
        using var http = new HttpClient { BaseAddress = new Uri(app.Url) };
        var failures = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(bodies, new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (body, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/calendly/webhooks") { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new("application/json");
            request.Headers.Add(WebhooksModule.SignatureHeader, Sign(body));
            using var response = await http.SendAsync(request, ct);
            if (!response.IsSuccessStatusCode) Interlocked.Increment(ref failures);
        });
        var ingest = clock.Elapsed;
        var perSecond = deliveries / ingest.TotalSeconds;

        // Everything acknowledged must be stored once and processed once.
        await using var db = await database.OpenAsync();
        for (var deadline = DateTime.UtcNow.AddMinutes(processing ? 2 : 0); DateTime.UtcNow < deadline; await Task.Delay(200))
            if (await db.ExecuteScalarAsync<long>("select count(*) from calendly_webhook_events where processed_at is null") == 0) break;
        var stored = await db.ExecuteScalarAsync<long>("select count(*) from calendly_webhook_events");
        var sessions = await db.ExecuteScalarAsync<long>("select count(*) from sessions where coach_id = @coachId", new { coachId });
        var lags = (await db.QueryAsync<double>(
            "select extract(epoch from processed_at - received_at) * 1000 from calendly_webhook_events where processed_at is not null order by 1")).ToArray();

        // The baseline: pgbench inserting the same rows (same payload size, same indexes) into an empty copy of the table.
        var pgbench = await PgbenchAsync(database, bodies[0], deliveries);

        Console.WriteLine();
        Console.WriteLine("| deliveries | concurrency | acknowledged/s | pgbench inserts/s | ratio | failed | stored | duplicated | lost | sessions | lag p50 | lag p99 |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        Console.WriteLine(BenchmarkApp.Format($"| {deliveries} | {Concurrency} | {perSecond:F0} | {pgbench:F0} | {perSecond / pgbench:F3} | {failures} | {stored} | {Math.Max(0, stored - deliveries)} | {Math.Max(0, deliveries - stored)} | {sessions} | {Percentile(lags, 0.5):F0} ms | {Percentile(lags, 0.99):F0} ms |"));
    }

    private static byte[] Delivery(string simulatorBase, string coachUri, int i)
    {
        var start = DateTimeOffset.UtcNow.AddDays(2).AddMinutes(30 * i);
        var json = BenchmarkApp.Format($$$$"""
            {"event":"invitee.created","created_at":"{{{{CalendlyWebhookEvents.Timestamp(DateTimeOffset.UtcNow)}}}}","created_by":"{{{{coachUri}}}}",
             "payload":{"uri":"{{{{simulatorBase}}}}/scheduled_events/E{{{{i}}}}/invitees/I{{{{i}}}}","email":"realtor{{{{i}}}}@example.test","name":"Realtor {{{{i}}}}",
              "status":"active","rescheduled":false,"old_invitee":null,"new_invitee":null,
              "cancel_url":"{{{{simulatorBase}}}}/cancellations/I{{{{i}}}}","reschedule_url":"{{{{simulatorBase}}}}/reschedulings/I{{{{i}}}}",
              "tracking":{"utm_campaign":null,"utm_source":"calendly-slices","utm_medium":null,"utm_content":null,"utm_term":null},
              "scheduled_event":{"uri":"{{{{simulatorBase}}}}/scheduled_events/E{{{{i}}}}","name":"30 Minute Meeting","status":"active",
                "start_time":"{{{{CalendlyWebhookEvents.Timestamp(start)}}}}","end_time":"{{{{CalendlyWebhookEvents.Timestamp(start.AddMinutes(30))}}}}",
                "event_type":"{{{{simulatorBase}}}}/event_types/T","event_memberships":[{"user":"{{{{coachUri}}}}"}]}}}
            """);
        return Encoding.UTF8.GetBytes(json);
    }

    private static string Sign(byte[] body)
    {
        var t = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);
        var message = Encoding.UTF8.GetBytes(t + ".").Concat(body).ToArray();
        return $"t={t},v1={Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(CalendlyOptions.DevWebhookSigningKey), message))}";
    }

    /// <summary>pgbench's insert rate for the same rows (same payload, a unique dedupe key each) with the same concurrency.</summary>
    private static async Task<double> PgbenchAsync(TestDatabase database, byte[] sampleBody, int rows)
    {
        await using (var db = await database.OpenAsync())
            await db.ExecuteAsync("create table pgbench_webhook_events (like calendly_webhook_events including all)");
        var payload = Encoding.UTF8.GetString(sampleBody).Replace("'", "''");
        var script = Path.GetTempFileName();
        await File.WriteAllTextAsync(script,
            "insert into pgbench_webhook_events (event_type, payload, dedupe_key, calendly_user_uri) " +
            $"values ('invitee.created', '{payload.Replace("\n", " ")}'::jsonb, md5(random()::text || clock_timestamp()::text), null);\n");
        var connection = new NpgsqlConnectionStringBuilder(database.ConnectionString);
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("PGBENCH") ?? "pgbench",
            ["-n", "-c", Concurrency.ToString(CultureInfo.InvariantCulture), "-j", "2", "-t", (rows / Concurrency).ToString(CultureInfo.InvariantCulture),
             "-f", script, "-h", connection.Host!, "-p", connection.Port.ToString(CultureInfo.InvariantCulture), "-U", connection.Username!, connection.Database!])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["PGPASSWORD"] = connection.Password;
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        File.Delete(script);
        var tps = System.Text.RegularExpressions.Regex.Match(output, @"tps = ([\d.]+) \(without initial connection time\)");
        if (!tps.Success) throw new InvalidOperationException("pgbench printed no tps: " + output + await process.StandardError.ReadToEndAsync());
        return double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture);
    }

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? double.NaN : sorted[(int)Math.Min(sorted.Length - 1, Math.Floor(p * sorted.Length))];
}
