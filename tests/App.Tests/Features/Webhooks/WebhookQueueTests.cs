using App.Features.Webhooks;
using App.Infrastructure.Caching;
using App.Infrastructure.Calendly;
using App.Infrastructure.Configuration;
using App.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace App.Tests.Features.Webhooks;

public sealed class WebhookQueueTests
{
    [Test]
    public async Task Two_hosts_share_one_queue_and_apply_each_event_once()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var hosts = new[] { await calendly.StartAppAsync(), await calendly.StartAppAsync() };
        var coach = await ConnectedCoaches.ConnectAsync(hosts[0], calendly.Database, calendly.Simulator);
        var start = DateTimeOffset.UtcNow.AddDays(2);
        await using (var db = await calendly.Database.OpenAsync())
        {
            for (var i = 0; i < 60; i++)
            {
                var invitee = $"{calendly.Simulator.BaseUrl}/scheduled_events/E{i}/invitees/I{i}";
                var body = $$$$"""
                    {"event":"invitee.created","created_at":"2026-02-01T10:00:00.000000Z","payload":{"uri":"{{{{invitee}}}}",
                     "email":"r{{{{i}}}}@example.test","name":"R {{{{i}}}}","status":"active",
                     "scheduled_event":{"uri":"{{{{calendly.Simulator.BaseUrl}}}}/scheduled_events/E{{{{i}}}}","name":"Chat",
                       "start_time":"{{{{CalendlyWebhookEvents.Timestamp(start.AddHours(i))}}}}","end_time":"{{{{CalendlyWebhookEvents.Timestamp(start.AddHours(i).AddMinutes(30))}}}}",
                       "event_memberships":[{"user":"{{{{coach.Account.Uri}}}}"}]}}}
                    """;
                await CalendlyWebhookEvents.StoreAsync(db, "invitee.created", body,
                    CalendlyWebhookEvents.DedupeKey("invitee.created", invitee, "2026-02-01T10:00:00.000000Z"), coach.Account.Uri, null, CancellationToken.None);
            }
        }

        await Task.WhenAll(hosts.Select(async host =>
        {
            while (await WebhookProcessing.RunOnceAsync(host.Services.GetRequiredService<NpgsqlDataSource>(),
                       host.Services.GetRequiredService<ClusterCache>(), host.Services.GetRequiredService<WebhookOptions>(),
                       NullLogger.Instance, CancellationToken.None) > 0)
            {
            }
        }));

        await using var check = await calendly.Database.OpenAsync();
        await Assert.That(await check.ExecuteScalarAsync<int>("select count(*) from sessions where coach_id = @UserId", new { coach.UserId })).IsEqualTo(60);
        await Assert.That(await check.ExecuteScalarAsync<int>("select count(*) from calendly_webhook_events where processed_at is null")).IsEqualTo(0);
        await Assert.That(await check.ExecuteScalarAsync<int>("select max(attempts) from calendly_webhook_events")).IsEqualTo(1);
    }
}
