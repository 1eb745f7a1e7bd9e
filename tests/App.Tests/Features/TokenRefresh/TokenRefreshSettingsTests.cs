using App.Tests.Support;

namespace App.Tests.Features.TokenRefresh;

public sealed class TokenRefreshSettingsTests
{
    [Test]
    public async Task Bad_refresh_job_settings_are_each_named_with_their_range()
    {
        var error = await AppHost.StartFailsAsync(new()
        {
            ["TOKEN_REFRESH_INTERVAL_SECONDS"] = "hourly",
            ["TOKEN_REFRESH_CONCURRENCY"] = "0",
        });

        await Assert.That(error.Problems).IsEquivalentTo([
            "TOKEN_REFRESH_INTERVAL_SECONDS must be a number from 1 to 86400, not 'hourly'.",
            "TOKEN_REFRESH_CONCURRENCY must be a number from 1 to 256, not '0'.",
        ]);
    }
}
