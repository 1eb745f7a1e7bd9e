using Alba;
using App.Infrastructure.Calendly;
using Dapper;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Support;

/// <summary>
/// Coaches whose Calendly connection is made without the browser: a fresh simulated Calendly account, tokens from the
/// simulator's control endpoint (as its token endpoint would issue them), stored by the app's own CalendlyTokens.
/// </summary>
public static class ConnectedCoaches
{
    public sealed record ConnectedCoach(long UserId, string ExternalId, SimulatorServer.SimUser Account, SimulatorServer.SimTokens Tokens);

    /// <summary>
    /// Without <paramref name="scope"/>, the connection is stored as a legacy grant ("default": everything); with it, the
    /// tokens are narrowed to those scopes and the connection stores them, as connecting through Calendly would.
    /// </summary>
    public static async Task<ConnectedCoach> ConnectAsync(IAlbaHost host, TestDatabase database, SimulatorServer simulator,
        SimulatorServer.SimUser? account = null, string? scope = null)
    {
        account ??= (await simulator.CreateUsersAsync(1))[0];
        var externalId = $"coach-{Guid.NewGuid():N}";
        var userId = await CreateUserAsync(database, externalId, "coach");
        var tokens = await simulator.IssueTokensAsync(account.Uri, scope);
        await SaveAsync(host, userId, account, tokens, scope is null ? "default" : tokens.Scope);
        return new ConnectedCoach(userId, externalId, account, tokens);
    }

    /// <summary>A browser (bearer token from the development sign-in) acting as an existing or new user.</summary>
    public static async Task<Browser> SignedInAsync(IAlbaHost host, string externalId, string role, string timeZone = "UTC")
    {
        var anonymous = new Browser(host.Server.CreateClient());
        var response = await anonymous.PostJsonAsync("/api/dev/token",
            new { userId = externalId, email = $"{externalId}@example.test", role, timeZone });
        var token = (await Browser.JsonAsync(response)).GetProperty("data").GetProperty("token").GetString()!;
        return new Browser(host.Server.CreateClient()) { Bearer = token };
    }

    public static async Task<long> CreateUserAsync(TestDatabase database, string externalId, string role)
    {
        await using var db = await database.OpenAsync();
        return await db.ExecuteScalarAsync<long>(
            "insert into users (external_id, email, role) values (@externalId, @externalId || '@example.test', @role) returning id",
            new { externalId, role });
    }

    public static async Task SaveAsync(IAlbaHost host, long userId, SimulatorServer.SimUser account, SimulatorServer.SimTokens tokens,
        string grantedScope = "default")
    {
        var response = new TokenResponse(tokens.AccessToken, tokens.RefreshToken, "Bearer", tokens.ExpiresIn, tokens.CreatedAt,
            tokens.Owner, tokens.Organization, grantedScope);
        var user = new CalendlyUser(account.Uri, account.Name, "coach", account.Email, account.SchedulingUrl, "UTC", null,
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, tokens.Organization);
        var saved = await host.Services.GetRequiredService<CalendlyTokens>().SaveConnectionAsync(userId, response, user, CancellationToken.None);
        if (!saved) throw new InvalidOperationException("The Calendly account is connected to someone else.");
    }

    /// <summary>Makes the stored access token look like it expires soon, as the refresh job and the skew see it.</summary>
    public static async Task ExpireSoonAsync(TestDatabase database, long userId, TimeSpan within)
    {
        await using var db = await database.OpenAsync();
        await db.ExecuteAsync("update calendly_integrations set expires_at = now() + @within where user_id = @userId", new { within, userId });
    }
}
