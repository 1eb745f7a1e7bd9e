using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.WebUtilities;

namespace Calendly.Simulator.OAuth;

/// <summary>RFC 7636 with S256, the only method Calendly accepts.</summary>
public static class Pkce
{
    public static bool Matches(string codeChallenge, string codeVerifier) =>
        CryptographicOperations.FixedTimeEquals(
            Encoding.ASCII.GetBytes(ChallengeOf(codeVerifier)), Encoding.ASCII.GetBytes(codeChallenge));

    public static string ChallengeOf(string codeVerifier) =>
        WebEncoders.Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(codeVerifier)));
}
