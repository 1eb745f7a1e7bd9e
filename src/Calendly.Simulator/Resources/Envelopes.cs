namespace Calendly.Simulator.Resources;

/// <summary>Calendly wraps one resource as {"resource": …}.</summary>
public sealed record SingleResource<T>(T Resource);

/// <summary>Lists without pagination (available times, schedules, busy times) are {"collection": […]} only.</summary>
public sealed record PlainCollection<T>(IReadOnlyList<T> Collection);

/// <summary>A page of a list: every pagination key is always present, null when there is no such page.</summary>
public sealed record PagedCollection<T>(IReadOnlyList<T> Collection, Pagination Pagination);

public sealed record Pagination(int Count, string? NextPage, string? PreviousPage, string? NextPageToken, string? PreviousPageToken);
