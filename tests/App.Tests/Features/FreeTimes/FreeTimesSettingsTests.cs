using App.Tests.Support;

namespace App.Tests.Features.FreeTimes;

public sealed class FreeTimesSettingsTests
{
    [Test]
    public async Task Bad_free_times_settings_are_each_named_with_their_range()
    {
        var error = await AppHost.StartFailsAsync(new()
        {
            ["AVAILABILITY_SYNC_DAYS"] = "90",
            ["CALENDLY_AVAILABILITY_WINDOW_DAYS"] = "32",
        });

        await Assert.That(error.Problems).IsEquivalentTo([
            "AVAILABILITY_SYNC_DAYS must be a number from 1 to 31, not '90'.",
            "CALENDLY_AVAILABILITY_WINDOW_DAYS must be a number from 1 to 31, not '32'.",
        ]);
    }
}
