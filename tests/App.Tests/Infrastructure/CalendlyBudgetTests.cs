using Alba;
using App.Infrastructure.Calendly;
using App.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Infrastructure;

/// <summary>
/// A coach's budgets of Calendly calls are Calendly's, whichever instance calls: two app instances on one database
/// share one budget, not one each, and an instance that restarts does not start a fresh one.
/// </summary>
public sealed class CalendlyBudgetTests
{
    private static readonly Dictionary<string, string> SmallBudgets = new()
    {
        ["CALENDLY_USER_REQUESTS_PER_MINUTE"] = "3",
        ["CALENDLY_USER_TOKEN_REQUESTS_PER_MINUTE"] = "2",
        // Room comes back only after a minute: a call over budget fails at once rather than wait for it.
        ["CALENDLY_TIMEOUT_SECONDS"] = "2",
    };

    [Test]
    public async Task Two_instances_share_a_coach_s_budget_of_api_calls_and_a_restart_keeps_it()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var first = await calendly.StartAppAsync(SmallBudgets);
        var second = await calendly.StartAppAsync(SmallBudgets);
        var coach = await ConnectedCoaches.ConnectAsync(first, calendly.Database, calendly.Simulator);

        var outcomes = new List<string>();
        foreach (var host in new[] { first, second, first, second, first, second })
            outcomes.Add(await CallCalendlyAsync(host, coach.UserId));
        var restarted = await calendly.StartAppAsync(SmallBudgets);
        outcomes.Add(await CallCalendlyAsync(restarted, coach.UserId));

        await Assert.That(outcomes).IsEquivalentTo(["ok", "ok", "ok", "RateLimited", "RateLimited", "RateLimited", "RateLimited"]);
        await Assert.That(await calendly.Simulator.CountAsync("GET /users/me")).IsEqualTo(3);
    }

    [Test]
    public async Task Two_instances_share_a_coach_s_budget_of_token_requests()
    {
        await using var calendly = await IsolatedCalendly.StartAsync();
        var first = await calendly.StartAppAsync(SmallBudgets);
        var second = await calendly.StartAppAsync(SmallBudgets);
        var coach = await ConnectedCoaches.ConnectAsync(first, calendly.Database, calendly.Simulator);

        var outcomes = new List<string>();
        foreach (var host in new[] { first, second, first, second })
            outcomes.Add(await RefreshAsync(host, coach.UserId));

        await Assert.That(outcomes).IsEquivalentTo(["ok", "ok", "RateLimited", "RateLimited"]);
        await Assert.That(await calendly.Simulator.CountAsync("POST /oauth/token")).IsEqualTo(2);
    }

    private static Task<string> CallCalendlyAsync(IAlbaHost host, long userId) => OutcomeAsync(() =>
        host.Services.GetRequiredService<CalendlyCalls>().RunAsync(userId, (client, token) => client.GetCurrentUserAsync(token, CancellationToken.None),
            CancellationToken.None));

    // A trigger every stored token meets: each call refreshes.
    private static Task<string> RefreshAsync(IAlbaHost host, long userId) => OutcomeAsync(() =>
        host.Services.GetRequiredService<CalendlyTokens>().RefreshAsync(userId,
            CalendlyTokens.RefreshTrigger.Expiring(DateTimeOffset.UtcNow.AddYears(1)), CancellationToken.None));

    private static async Task<string> OutcomeAsync<T>(Func<Task<T>> call)
    {
        try
        {
            await call();
            return "ok";
        }
        catch (CalendlyException e)
        {
            return e.Failure.ToString();
        }
    }
}
