namespace Calendly.Simulator.OAuth;

/// <summary>
/// The registered OAuth applications, seeded from the settings. Their scopes change at run time (/_sim/oauth_clients), as
/// when a developer ticks scopes in Calendly's console; /_sim/reset restores the registered ones.
/// </summary>
public sealed class OAuthClients(SimulatorSettings settings)
{
    private readonly Lock _gate = new();
    private IReadOnlyList<OAuthClient> _clients = settings.OAuthClients;

    public IReadOnlyList<OAuthClient> All
    {
        get
        {
            lock (_gate) return _clients;
        }
    }

    /// <summary>The app's own client, registered first: the one /_sim/tokens uses unless told otherwise.</summary>
    public OAuthClient App => All[0];

    public OAuthClient? Find(string? clientId) => All.FirstOrDefault(c => c.ClientId == clientId);

    /// <summary>New scopes (null: a legacy app with "default") for later grants; tokens already issued keep theirs. Null for an unknown client.</summary>
    public OAuthClient? ChangeScopes(string clientId, IReadOnlyList<string>? scopes)
    {
        lock (_gate)
        {
            if (_clients.FirstOrDefault(c => c.ClientId == clientId) is not { } client) return null;
            var changed = client with { Scopes = scopes };
            _clients = [.. _clients.Select(c => c.ClientId == clientId ? changed : c)];
            return changed;
        }
    }

    public void Reset()
    {
        lock (_gate) _clients = settings.OAuthClients;
    }
}
