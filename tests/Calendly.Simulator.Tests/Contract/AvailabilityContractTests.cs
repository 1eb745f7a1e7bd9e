using System.Net;
using System.Text.Json;
using Calendly.Simulator.Tests.Support;

namespace Calendly.Simulator.Tests.Contract;

/// <summary>The widths of the availability windows (§4.6, §4.8): 31 days of available times since 2026-07-09, 7 of busy times.</summary>
[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class AvailabilityContractTests(SimulatorFixture fixture)
{
    [Test, MethodDataSource(typeof(ContractTargets), nameof(ContractTargets.All))]
    [Property("Reference", "§4.6")]
    public async Task Available_times_accept_a_31_day_window(string target)
    {
        var api = await ContractTargets.ConnectAsync(target, fixture.Simulator);
        var start = DateTimeOffset.UtcNow.AddHours(1);

        using var response = await api.Api.GetAsync(await AvailableTimesUrl(api, start, start.AddDays(31)));

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That((await response.JsonAsync()).GetProperty("collection").ValueKind).IsEqualTo(JsonValueKind.Array);
    }

    [Test, MethodDataSource(typeof(ContractTargets), nameof(ContractTargets.All))]
    [Property("Reference", "§4.6")]
    public async Task Available_times_refuse_a_32_day_window_with_a_detail(string target)
    {
        var api = await ContractTargets.ConnectAsync(target, fixture.Simulator);
        var start = DateTimeOffset.UtcNow.AddHours(1);

        using var response = await api.Api.GetAsync(await AvailableTimesUrl(api, start, start.AddDays(32)));

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(DetailMessages(await response.JsonAsync())).Contains(m => m.Contains("no greater than 31 days"));
    }

    [Test, MethodDataSource(typeof(ContractTargets), nameof(ContractTargets.All))]
    [Property("Reference", "§4.8")]
    public async Task Busy_times_refuse_an_8_day_window_with_a_detail(string target)
    {
        var api = await ContractTargets.ConnectAsync(target, fixture.Simulator);
        var start = DateTimeOffset.UtcNow.AddHours(1);

        using var response = await api.Api.GetAsync(
            $"/user_busy_times?user={Uri.EscapeDataString(api.UserUri)}&start_time={Booking.Stamp(start)}&end_time={Booking.Stamp(start.AddDays(8))}");

        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.BadRequest);
        await Assert.That(DetailMessages(await response.JsonAsync())).Contains(m => m.Contains("7 days"));
    }

    private static async Task<string> AvailableTimesUrl(ApiTarget api, DateTimeOffset start, DateTimeOffset end)
    {
        var types = await api.Api.GetJsonAsync($"/event_types?user={Uri.EscapeDataString(api.UserUri)}&active=true");
        var eventType = types.GetProperty("collection")[0].Text("uri");
        return $"/event_type_available_times?event_type={Uri.EscapeDataString(eventType)}&start_time={Booking.Stamp(start)}&end_time={Booking.Stamp(end)}";
    }

    private static IReadOnlyList<string> DetailMessages(JsonElement error) =>
        [.. error.GetProperty("details").EnumerateArray().Select(d => d.Text("message"))];
}
