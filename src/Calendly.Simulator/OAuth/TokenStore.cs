using System.Security.Cryptography;
using Microsoft.AspNetCore.WebUtilities;

namespace Calendly.Simulator.OAuth;

public enum TokenCheck { Valid, Expired, Invalid }

/// <summary>Every authorization code, access token and refresh token the simulator has handed out, under one lock.</summary>
public sealed class TokenStore(TimeProvider clock)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, AccessToken> _access = [];
    private readonly Dictionary<string, RefreshToken> _refresh = [];
    private readonly Dictionary<string, AuthorizationCode> _codes = [];

    /// <summary>Calendly's tokens are long; these are 86 characters of random base64url.</summary>
    public static string NewSecret(int bytes = 64) => WebEncoders.Base64UrlEncode(RandomNumberGenerator.GetBytes(bytes));

    public TokenPair Issue(string userUuid, string clientId, string scope, TimeSpan lifetime)
    {
        var now = clock.GetUtcNow();
        var access = new AccessToken
        {
            Value = NewSecret(), UserUuid = userUuid, ClientId = clientId, Scope = scope, CreatedAt = now, ExpiresAt = now + lifetime,
        };
        var refresh = new RefreshToken { Value = NewSecret(), UserUuid = userUuid, ClientId = clientId, Scope = scope, CreatedAt = now };
        lock (_gate)
        {
            _access.Add(access.Value, access);
            _refresh.Add(refresh.Value, refresh);
        }
        return new TokenPair(access, refresh);
    }

    public AuthorizationCode AddCode(string clientId, string redirectUri, string userUuid, string scope, string? codeChallenge,
        TimeSpan lifetime)
    {
        // Calendly's codes are 64 hex characters.
        var code = new AuthorizationCode
        {
            Value = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)), ClientId = clientId, RedirectUri = redirectUri,
            UserUuid = userUuid, Scope = scope, CodeChallenge = codeChallenge, ExpiresAt = clock.GetUtcNow() + lifetime,
        };
        lock (_gate) _codes.Add(code.Value, code);
        return code;
    }

    public (TokenCheck Check, AccessToken? Token) Authenticate(string value)
    {
        lock (_gate)
        {
            if (!_access.TryGetValue(value, out var token) || token.Revoked) return (TokenCheck.Invalid, null);
            return token.ExpiresAt <= clock.GetUtcNow() ? (TokenCheck.Expired, token) : (TokenCheck.Valid, token);
        }
    }

    public T WithCode<T>(string value, Func<AuthorizationCode?, T> use)
    {
        lock (_gate) return use(_codes.GetValueOrDefault(value));
    }

    public T WithRefreshToken<T>(string value, Func<RefreshToken?, T> use)
    {
        lock (_gate) return use(_refresh.GetValueOrDefault(value));
    }

    /// <summary>An access or refresh token by value, for revoke and introspect.</summary>
    public (AccessToken? Access, RefreshToken? Refresh) Find(string value)
    {
        lock (_gate) return (_access.GetValueOrDefault(value), _refresh.GetValueOrDefault(value));
    }

    /// <summary>Revokes the access or refresh token with this value; unknown values are ignored (RFC 7009).</summary>
    public void Revoke(string value)
    {
        lock (_gate)
        {
            if (_access.TryGetValue(value, out var access)) access.Revoked = true;
            if (_refresh.TryGetValue(value, out var refresh)) refresh.Dead = true;
        }
    }

    /// <summary>After a reset, tokens of users that no longer exist are dropped; seeded users keep theirs (their ids are stable).</summary>
    public void KeepOnly(IReadOnlySet<string> userUuids)
    {
        lock (_gate)
        {
            foreach (var key in _access.Where(p => !userUuids.Contains(p.Value.UserUuid)).Select(p => p.Key).ToList()) _access.Remove(key);
            foreach (var key in _refresh.Where(p => !userUuids.Contains(p.Value.UserUuid)).Select(p => p.Key).ToList()) _refresh.Remove(key);
            _codes.Clear();
        }
    }
}
