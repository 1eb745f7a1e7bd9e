using System.Net.Http.Headers;

namespace Calendly.Simulator.Tests.Support;

/// <summary>Where a contract test runs: the simulator as the seeded default coach, or the real Calendly as the token's owner.</summary>
public sealed record ApiTarget(string Name, HttpClient Api, string BaseUrl, string UserUri, string OrganizationUri)
{
    public bool IsSimulator => Name == ContractTargets.Simulator;
}

/// <summary>
/// The data source of contract tests: the simulator always; the real Calendly (https://api.calendly.com) only when
/// CALENDLY_CONTRACT_TOKEN holds a token, so the same assertions check both. Live runs only read.
/// </summary>
public static class ContractTargets
{
    public const string Simulator = "simulator";
    public const string Live = "live";
    public const string TokenVariable = "CALENDLY_CONTRACT_TOKEN";
    public const string LiveBaseUrl = "https://api.calendly.com";

    public static IEnumerable<string> All()
    {
        yield return Simulator;
        if (Environment.GetEnvironmentVariable(TokenVariable) is { Length: > 0 }) yield return Live;
    }

    public static async Task<ApiTarget> ConnectAsync(string name, TestSimulator simulator)
    {
        if (name == Simulator)
        {
            var coach = await simulator.SeededAccountAsync();
            return new ApiTarget(name, coach.Api, simulator.BaseUrl, coach.UserUri, coach.OrganizationUri);
        }
        var client = new HttpClient { BaseAddress = new Uri(LiveBaseUrl) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Environment.GetEnvironmentVariable(TokenVariable));
        var me = (await client.GetJsonAsync("/users/me")).GetProperty("resource");
        return new ApiTarget(name, client, LiveBaseUrl, me.Text("uri"), me.Text("current_organization"));
    }
}
