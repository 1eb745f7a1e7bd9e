using System.Collections.Frozen;
using System.Reflection;

namespace App.Infrastructure.Web;

/// <summary>
/// A toast that survives a redirect: a slice declares it where it redirects, with
/// <c>[assembly: PageNotice("calendly-connected", "Calendly is connected.")]</c>, and sends people to
/// <c>page?notice=calendly-connected</c>; the layout shows the text. Only declared texts can appear this way, so a query
/// string never puts arbitrary words on a page.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class PageNoticeAttribute(string key, string text) : Attribute
{
    public string Key { get; } = key;
    public string Text { get; } = text;
}

public static class PageNotices
{
    private static readonly FrozenDictionary<string, string> Texts = typeof(PageNotices).Assembly
        .GetCustomAttributes<PageNoticeAttribute>().ToFrozenDictionary(n => n.Key, n => n.Text);

    /// <summary>The text of the notice named in the request's <c>?notice=</c>, if a slice declared one by that key.</summary>
    public static string? Of(HttpRequest request) => Text(request.Query["notice"].ToString());

    public static string? Text(string key) => Texts.GetValueOrDefault(key);

    /// <summary>The path with the notice to show there.</summary>
    public static string Url(string path, string key) =>
        Text(key) is null ? throw new ArgumentException($"No slice declares the notice '{key}'.", nameof(key))
            : Microsoft.AspNetCore.WebUtilities.QueryHelpers.AddQueryString(path, "notice", key);
}
