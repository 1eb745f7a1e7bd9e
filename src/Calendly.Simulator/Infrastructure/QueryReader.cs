using System.Globalization;
using System.Text.RegularExpressions;

namespace Calendly.Simulator.Infrastructure;

/// <summary>
/// Reads query parameters the way Calendly validates them, collecting a detail per bad parameter so that one 400 names
/// them all. Empty values count as missing.
/// </summary>
public sealed partial class QueryReader(HttpRequest request)
{
    public const int MaxCount = 100;
    public const int DefaultCount = 20;

    private readonly List<ErrorDetail> _errors = [];

    public bool HasErrors => _errors.Count > 0;
    public IResult Failure => CalendlyErrors.InvalidArgument(_errors);
    public HttpRequest Request => request;

    public string? Text(string name) => request.Query[name].FirstOrDefault() is { Length: > 0 } value ? value : null;

    public void Fail(string? parameter, string message) => _errors.Add(new ErrorDetail(parameter, message));

    public string? Required(string name)
    {
        var value = Text(name);
        if (value is null) Fail(name, "is required");
        return value;
    }

    /// <summary>The uuid of a full resource URI such as ?user=https://…/users/{uuid}; filters never take a bare uuid.</summary>
    public string? ResourceUuid(string name, string collection, bool required = false)
    {
        var value = required ? Required(name) : Text(name);
        if (value is null) return null;
        var uuid = ResourceUris.UuidOf(value, collection);
        if (uuid is null) Fail(name, "must be a valid URI");
        return uuid;
    }

    public DateTimeOffset? Timestamp(string name, bool required = false)
    {
        var value = required ? Required(name) : Text(name);
        if (value is null) return null;
        if (ParseTimestamp(value) is { } parsed) return parsed;
        Fail(name, TimestampMessage);
        return null;
    }

    public const string TimestampMessage = "must be a valid ISO 8601 timestamp, e.g. 2020-01-02T03:04:05.678123Z";

    /// <summary>An ISO 8601 instant with a date, a time and a zone (Z or an offset); anything else is null.</summary>
    public static DateTimeOffset? ParseTimestamp(string value) =>
        IsoTimestamp().IsMatch(value) && DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture,
            DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var parsed)
            ? parsed
            : null;

    public bool? Bool(string name)
    {
        var value = Text(name);
        if (value is null) return null;
        if (bool.TryParse(value, out var parsed)) return parsed;
        Fail(name, "must be true or false");
        return null;
    }

    public string? OneOf(string name, params string[] allowed)
    {
        var value = Text(name);
        if (value is null || allowed.Contains(value)) return value;
        Fail(name, $"must be one of: {string.Join(", ", allowed)}");
        return null;
    }

    public int Count()
    {
        var value = Text("count");
        if (value is null) return DefaultCount;
        if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count is >= 1 and <= MaxCount) return count;
        Fail("count", $"must be an integer between 1 and {MaxCount}");
        return DefaultCount;
    }

    /// <summary>
    /// A sort spec "field:dir[,field:dir]" whose fields are among <paramref name="fields"/>. Returns (field, descending)
    /// pairs, or the default when the parameter is absent.
    /// </summary>
    public IReadOnlyList<(string Field, bool Descending)> Sort(string defaultSort, params string[] fields)
    {
        var spec = Text("sort") ?? defaultSort;
        var parts = spec.Split(',').Select(p => p.Trim().Split(':')).ToList();
        if (parts.All(p => p is [var field, "asc" or "desc"] && fields.Contains(field)))
            return [.. parts.Select(p => (p[0], p[1] == "desc"))];
        Fail("sort", $"must be a comma-separated list of field:direction, fields {string.Join(", ", fields)}, direction asc or desc");
        return [];
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$")]
    private static partial Regex IsoTimestamp();
}
