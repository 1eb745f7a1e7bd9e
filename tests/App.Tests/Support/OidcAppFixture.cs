using Alba;
using TUnit.Core.Interfaces;

namespace App.Tests.Support;

/// <summary>The app in production auth mode: tokens from an OIDC issuer (Clerk-like), no development sign-in.</summary>
public sealed class OidcAppFixture : IAsyncInitializer, IAsyncDisposable
{
    public const string AuthorizedParty = "https://app.example.test";
    public const string SignInUrl = "https://accounts.example.test/sign-in";

    public TestDatabase Database { get; private set; } = null!;
    public OidcIssuer Issuer { get; private set; } = null!;
    public IAlbaHost Host { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        Issuer = await OidcIssuer.StartAsync();
        Host = await AppHost.StartAsync(Database.ConnectionString, new Dictionary<string, string>
        {
            ["AUTH_AUTHORITY"] = Issuer.Authority.ToString(),
            ["AUTH_SIGN_IN_URL"] = SignInUrl,
            ["AUTH_AUTHORIZED_PARTIES"] = AuthorizedParty,
            // Clerk keeps custom roles in session-token metadata.
            ["AUTH_ROLE_CLAIM"] = "metadata.role",
        });
    }

    public async ValueTask DisposeAsync()
    {
        await Host.DisposeAsync();
        await Issuer.DisposeAsync();
        await Database.DisposeAsync();
    }

    public Browser NewBrowser() => new(Host.Server.CreateClient());

    public string MintFor(string subject, string role = "coach", string? email = null, string azp = AuthorizedParty,
        string? name = null)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = subject,
            ["azp"] = azp,
            ["email"] = email ?? $"{subject}@example.test",
            ["metadata"] = new Dictionary<string, object> { ["role"] = role },
        };
        if (name is not null) claims["name"] = name;
        return Issuer.Mint(claims);
    }
}
