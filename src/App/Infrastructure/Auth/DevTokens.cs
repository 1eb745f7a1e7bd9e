using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace App.Infrastructure.Auth;

/// <summary>
/// Issues and validates the development sign-in's tokens. The HMAC key lives in the database (one row), so every
/// app instance and every test host that shares the database accepts the tokens any of them issued.
/// </summary>
public sealed class DevTokens
{
    public const string Issuer = "calendly-slices-dev";
    public const string Audience = "calendly-slices";
    public static readonly TimeSpan Lifetime = TimeSpan.FromHours(8);

    private SymmetricSecurityKey? _key;

    public SecurityKey Key => _key ?? throw new InvalidOperationException("The development signing key is not loaded yet.");

    /// <summary>Creates the key on first use (racing instances agree through the primary key) and loads it.</summary>
    public async Task LoadAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        const string sql = """
            insert into dev_signing_keys (id, key) values (1, @Candidate)
            on conflict (id) do nothing;
            select key from dev_signing_keys where id = 1;
            """;
        await using var connection = await db.OpenConnectionAsync(ct);
        var key = await connection.QuerySingleAsync<byte[]>(
            new CommandDefinition(sql, new { Candidate = RandomNumberGenerator.GetBytes(64) }, cancellationToken: ct));
        _key = new SymmetricSecurityKey(key) { KeyId = "dev-1" };
    }

    public (string Token, DateTimeOffset ExpiresAt) Issue(IEnumerable<Claim> claims, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var expiresAt = now.Add(Lifetime);
        var token = new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Issuer,
            Audience = Audience,
            Subject = new ClaimsIdentity(claims),
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expiresAt.UtcDateTime,
            SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
        });
        return (token, expiresAt);
    }

    public TokenValidationParameters ValidationParameters() => new()
    {
        ValidIssuer = Issuer,
        ValidAudience = Audience,
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        IssuerSigningKeyResolver = (_, _, _, _) => [Key],
        ClockSkew = TimeSpan.FromSeconds(30),
    };
}
