namespace Calendly.Simulator.OAuth;

public sealed class AccessToken
{
    public required string Value { get; init; }
    public required string UserUuid { get; init; }
    public required string ClientId { get; init; }
    public required string Scope { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public bool Revoked { get; set; }
}

/// <summary>Refresh tokens never expire; they die when used (rotation) or revoked.</summary>
public sealed class RefreshToken
{
    public required string Value { get; init; }
    public required string UserUuid { get; init; }
    public required string ClientId { get; init; }
    public required string Scope { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public bool Dead { get; set; }
}

public sealed class AuthorizationCode
{
    public required string Value { get; init; }
    public required string ClientId { get; init; }
    public required string RedirectUri { get; init; }
    public required string UserUuid { get; init; }
    public required string Scope { get; init; }
    public required string? CodeChallenge { get; init; }
    public required DateTimeOffset ExpiresAt { get; init; }
    public bool Redeemed { get; set; }

    /// <summary>Tokens issued for this code, revoked if someone replays the code (RFC 6749 §4.1.2).</summary>
    public TokenResponse? Issued { get; set; }
}

public sealed record TokenPair(AccessToken Access, RefreshToken Refresh);
