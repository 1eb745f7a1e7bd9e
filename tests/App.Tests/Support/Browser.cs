using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace App.Tests.Support;

/// <summary>
/// An HttpClient that behaves like a browser for what these tests need: it keeps cookies between requests, does not
/// follow redirects (tests assert them), and can sign in through the development sign-in form.
/// </summary>
public sealed partial class Browser(HttpClient client)
{
    private readonly Dictionary<string, string> _cookies = [];

    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string? Bearer { get; set; }

    public Task<HttpResponseMessage> GetAsync(string url, bool htmx = false) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Get, url), htmx);

    public Task<HttpResponseMessage> PostFormAsync(string url, IDictionary<string, string> form, bool htmx = false) =>
        SendAsync(new HttpRequestMessage(HttpMethod.Post, url) { Content = new FormUrlEncodedContent(form) }, htmx);

    public Task<HttpResponseMessage> PostJsonAsync(string url, object body, string? antiforgeryToken = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = JsonContent.Create(body) };
        if (antiforgeryToken is not null) request.Headers.Add("X-CSRF-TOKEN", antiforgeryToken);
        return SendAsync(request, htmx: false);
    }

    /// <summary>Sends the request; with <see cref="HttpCompletionOption.ResponseHeadersRead"/>, returns before the body ends (a stream).</summary>
    public async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, bool htmx = false,
        HttpCompletionOption completion = HttpCompletionOption.ResponseContentRead)
    {
        if (_cookies.Count > 0)
            request.Headers.Add("Cookie", string.Join("; ", _cookies.Select(c => $"{c.Key}={c.Value}")));
        if (Bearer is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Bearer);
        if (htmx) request.Headers.Add("HX-Request", "true");
        var response = await client.SendAsync(request, completion);
        if (response.Headers.TryGetValues("Set-Cookie", out var setCookies))
        {
            foreach (var header in setCookies)
            {
                var pair = header.Split(';')[0].Split('=', 2);
                if (pair[1].Length == 0 || header.Contains("expires=Thu, 01 Jan 1970", StringComparison.OrdinalIgnoreCase))
                    _cookies.Remove(pair[0]);
                else
                    _cookies[pair[0]] = pair[1];
            }
        }
        return response;
    }

    public bool HasCookie(string name) => _cookies.ContainsKey(name);

    /// <summary>Loads a page and returns the anti-forgery token its layout or form carries.</summary>
    public async Task<string> AntiforgeryTokenFromAsync(string url)
    {
        var html = await (await GetAsync(url)).Content.ReadAsStringAsync();
        var match = TokenField().Match(html);
        if (!match.Success) throw new InvalidOperationException($"No anti-forgery token on {url}.");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>
    /// An anti-forgery token for the signed-in caller, from the development sign-in page (Infrastructure's, present
    /// whichever slices the app has), so that a slice's tests need no other slice's page for it.
    /// </summary>
    public Task<string> AntiforgeryTokenAsync() => AntiforgeryTokenFromAsync("/dev/sign-in");

    /// <summary>Signs in through the development sign-in form, as a person would (no name: the field posted empty).</summary>
    public async Task SignInAsync(string userId, string email, string role, string timeZone = "UTC", string name = "")
    {
        var token = await AntiforgeryTokenFromAsync("/dev/sign-in");
        var response = await PostFormAsync("/dev/sign-in", new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["userId"] = userId,
            ["name"] = name,
            ["email"] = email,
            ["role"] = role,
            ["timeZone"] = timeZone,
        });
        if (response.StatusCode != HttpStatusCode.Redirect)
            throw new InvalidOperationException($"Sign-in answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex TokenField();
}
