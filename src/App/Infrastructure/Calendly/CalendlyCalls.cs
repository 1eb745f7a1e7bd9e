namespace App.Infrastructure.Calendly;

/// <summary>
/// Runs a Calendly call on behalf of a coach: within their per-user budget, with a current access token, and with
/// Calendly's 401 handled once (refresh, then replay the call). A second 401 after a refresh means the grant is gone:
/// the connection is marked needs_reconnect.
/// </summary>
public sealed class CalendlyCalls(IHttpClientFactory httpClients, CalendlyOptions options, CalendlyTokens tokens, CalendlyBudget budget)
{
    public async Task<T> RunAsync<T>(long userId, Func<CalendlyClient, string, Task<T>> call, CancellationToken ct)
    {
        var client = CalendlyClient.For(httpClients, options);
        await budget.WaitForRequestAsync(userId, ct);
        var accessToken = await tokens.GetAccessTokenAsync(userId, ct);
        try
        {
            return await call(client, accessToken);
        }
        catch (CalendlyException e) when (e.Failure == CalendlyFailure.Unauthorized)
        {
            accessToken = await tokens.RefreshAsync(userId, CalendlyTokens.RefreshTrigger.Rejected(accessToken), ct);
        }
        await budget.WaitForRequestAsync(userId, ct);
        try
        {
            return await call(client, accessToken);
        }
        catch (CalendlyException e) when (e.Failure == CalendlyFailure.Unauthorized)
        {
            await tokens.MarkNeedsReconnectAsync(userId, "Calendly refused a freshly refreshed access token.", ct);
            throw new CalendlyException(CalendlyFailure.ReconnectRequired,
                "Calendly no longer accepts this connection; the coach must reconnect Calendly.", 401, inner: e);
        }
    }
}
