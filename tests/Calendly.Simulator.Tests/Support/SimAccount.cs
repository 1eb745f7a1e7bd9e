namespace Calendly.Simulator.Tests.Support;

/// <summary>A simulated Calendly user with a token pair, and an API client that sends the access token.</summary>
public sealed record SimAccount(string UserUri, string OrganizationUri, string AccessToken, string RefreshToken, HttpClient Api)
{
    public string Uuid => UserUri[(UserUri.LastIndexOf('/') + 1)..];
}
