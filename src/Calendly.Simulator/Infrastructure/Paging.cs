using System.Security.Cryptography;
using System.Text;
using Calendly.Simulator.Resources;
using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.WebUtilities;

namespace Calendly.Simulator.Infrastructure;

public sealed record PageRequest(int Count, int Offset);

/// <summary>
/// Calendly-style pagination over an already filtered and sorted list. A page token is opaque to clients: an offset plus a
/// MAC over that offset and the request's filters, so a token that was altered, or reused with other filters, is a 400.
/// </summary>
public static class Paging
{
    private static readonly byte[] MacKey = "calendly-simulator-page-token"u8.ToArray();

    public static PageRequest Read(QueryReader query)
    {
        var count = query.Count();
        if (query.Text("page_token") is not { } token) return new PageRequest(count, 0);
        if (OffsetOf(token, query.Request) is { } offset) return new PageRequest(count, offset);
        query.Fail("page_token", "is invalid");
        return new PageRequest(count, 0);
    }

    public static IResult Result<T>(PageRequest page, HttpRequest request, ResourceUris uris, IReadOnlyList<T> items)
    {
        var rows = items.Skip(page.Offset).Take(page.Count).ToList();
        var next = page.Offset + page.Count < items.Count ? TokenFor(page.Offset + page.Count, request) : null;
        var previous = page.Offset > 0 ? TokenFor(Math.Max(0, page.Offset - page.Count), request) : null;
        var pagination = new Pagination(rows.Count, Link(next, request, uris), Link(previous, request, uris), next, previous);
        return CalendlyResults.Json(StatusCodes.Status200OK, new PagedCollection<T>(rows, pagination));
    }

    /// <summary>The same request on the simulator's base URL, every query parameter repeated, page_token replaced.</summary>
    private static string? Link(string? token, HttpRequest request, ResourceUris uris)
    {
        if (token is null) return null;
        var query = new QueryBuilder(request.Query.Where(p => p.Key != "page_token")) { { "page_token", token } };
        return $"{uris.BaseUrl}{request.PathBase}{request.Path}{query.ToQueryString()}";
    }

    private static string TokenFor(int offset, HttpRequest request) =>
        WebEncoders.Base64UrlEncode(Encoding.UTF8.GetBytes($"{offset}.{Mac(offset, request)}"));

    private static int? OffsetOf(string token, HttpRequest request)
    {
        string text;
        try { text = Encoding.UTF8.GetString(WebEncoders.Base64UrlDecode(token)); }
        catch (FormatException) { return null; }
        return text.Split('.') is [var digits, var mac] && int.TryParse(digits, out var offset) && offset >= 0
               && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(mac), Encoding.UTF8.GetBytes(Mac(offset, request)))
            ? offset
            : null;
    }

    // count may change between pages (pages may be short); every other parameter is part of the filter.
    private static string Mac(int offset, HttpRequest request)
    {
        var filters = string.Join('&', request.Query.Where(p => p.Key is not ("page_token" or "count"))
            .OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => $"{p.Key}={p.Value}"));
        var mac = HMACSHA256.HashData(MacKey, Encoding.UTF8.GetBytes($"{request.Path}?{filters}#{offset}"));
        return Convert.ToHexStringLower(mac.AsSpan(0, 12));
    }
}
