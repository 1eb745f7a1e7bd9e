namespace App.Tests.Support;

/// <summary>
/// Rate limits too high to reach, for every test and benchmark host but RateLimitTests': parallel tests, hostile-input
/// sweeps and benchmark loops share one client address and a few users, and must not be throttled.
/// </summary>
public static class Unthrottled
{
    public static readonly IReadOnlyDictionary<string, string> Settings = new Dictionary<string, string>
    {
        ["RATE_LIMIT_SIGN_IN_PER_MINUTE"] = "1000000",
        ["RATE_LIMIT_OAUTH_PER_MINUTE"] = "1000000",
        ["RATE_LIMIT_BOOKINGS_PER_MINUTE"] = "1000000",
        ["RATE_LIMIT_REFUSED_WEBHOOKS_PER_MINUTE"] = "1000000",
    };
}
