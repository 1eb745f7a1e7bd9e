using System.Net.Http.Json;
using System.Text.Json;

namespace Calendly.Simulator.Tests.Support;

/// <summary>POST /invitees as an integrator calls it: a complete, valid body unless a test changes a part of it.</summary>
public static class SchedulingApi
{
    public static Dictionary<string, object?> Body(string eventTypeUri, string startTime, string email = "ivy@example.com") => new()
    {
        ["event_type"] = eventTypeUri,
        ["start_time"] = startTime,
        ["invitee"] = new Dictionary<string, object?> { ["email"] = email, ["name"] = "Ivy Invitee", ["timezone"] = "Europe/Paris" },
    };

    public static async Task<(HttpResponseMessage Response, JsonElement Json)> BookAsync(this SimAccount account, object body)
    {
        var response = await account.Api.PostAsJsonAsync("/invitees", body);
        return (response, await response.JsonAsync());
    }

    /// <summary>An event type of the account's own, made through /_sim/event_types with the given extra fields.</summary>
    public static async Task<string> NewEventTypeAsync(this TestSimulator sim, SimAccount owner, object? fields = null)
    {
        var body = JsonSerializer.SerializeToElement(fields ?? new { }).EnumerateObject()
            .ToDictionary(p => p.Name, p => (object?)p.Value);
        body["owner"] = owner.UserUri;
        body.TryAdd("name", "Listing Review");
        return (await sim.PostJsonAsync("/_sim/event_types", body)).Text("uri");
    }

    public static IEnumerable<string> Parameters(this JsonElement error) =>
        error.TryGetProperty("details", out var details) ? details.EnumerateArray().Select(d => d.Text("parameter")) : [];
}
