using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Api;

/// <summary>The user= and organization= filters of a list, as uuids.</summary>
public sealed record OwnerFilter(string? UserUuid, string? OrganizationUuid)
{
    /// <summary>organization= must be the caller's; user= must exist and be in the caller's organization.</summary>
    public IResult? Refusal(Caller caller, SimulatedWorld world)
    {
        if (OrganizationUuid is not null && OrganizationUuid != caller.OrganizationUuid) return CalendlyErrors.PermissionDenied();
        if (UserUuid is null) return null;
        if (!world.Users.TryGetValue(UserUuid, out var user)) return CalendlyErrors.NotFound();
        return caller.SharesOrganizationWith(user) ? null : CalendlyErrors.PermissionDenied(CalendlyErrors.NotInYourOrganization);
    }
}

/// <summary>Validation shared by list endpoints.</summary>
public static class Filters
{
    /// <summary>user= and/or organization=, full URIs; at least one of them.</summary>
    public static OwnerFilter Owner(QueryReader query)
    {
        var filter = new OwnerFilter(query.ResourceUuid("user", "users"), query.ResourceUuid("organization", "organizations"));
        if (query.Text("user") is null && query.Text("organization") is null) RequireOneOf(query, "organization", "user");
        return filter;
    }

    /// <summary>Calendly answers a list without any owner filter with one detail per filter it would have accepted.</summary>
    public static void RequireOneOf(QueryReader query, params string[] parameters)
    {
        var message = $"At least one of {string.Join(" or ", parameters)} must be filled";
        foreach (var parameter in parameters) query.Fail(parameter, message);
    }

    public static EventStatus? Status(QueryReader query) => query.OneOf("status", "active", "canceled") switch
    {
        "active" => EventStatus.Active,
        "canceled" => EventStatus.Canceled,
        _ => null,
    };

    /// <summary>Sorts by the (field, descending) pairs of a sort parameter, using the given key for each field.</summary>
    public static IEnumerable<T> SortBy<T>(IEnumerable<T> items, IReadOnlyList<(string Field, bool Descending)> sort,
        Func<T, string, IComparable> key, Func<T, string> tieBreaker)
    {
        IOrderedEnumerable<T>? ordered = null;
        foreach (var (field, descending) in sort)
        {
            ordered = ordered is null
                ? descending ? items.OrderByDescending(i => key(i, field)) : items.OrderBy(i => key(i, field))
                : descending ? ordered.ThenByDescending(i => key(i, field)) : ordered.ThenBy(i => key(i, field));
        }
        return (ordered ?? items.OrderBy(_ => 0)).ThenBy(tieBreaker, StringComparer.Ordinal);
    }
}
