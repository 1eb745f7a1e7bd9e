using FluentValidation;

[assembly: PagePart(PagePlaces.Availability, "event-types", "Your event types", "/event-types")]

namespace App.Features.EventTypes;

/// <summary>
/// The signed-in coach's active Calendly event types, a page at a time (Calendly's own paging, its page token passed
/// through untouched): JSON for other apps, and a list with "load more" for people.
/// </summary>
public sealed class EventTypesModule : ICarterModule
{
    public const int DefaultCount = 20;
    public const int MaxCount = 100;

    public sealed record ListEventTypesQuery(int? Count, string? PageToken);

    public sealed record EventTypeItem(
        string Name, string Uri, string? Slug, int Duration, string? Kind, bool Active, string? SchedulingUrl, string? Color,
        string? Description);

    public sealed record EventTypePage(IReadOnlyList<EventTypeItem> Items, string? NextPageToken);

    /// <summary>What the list renders: the page, and the query that fetched it (its page size carries over to "load more").</summary>
    public sealed record EventTypesView(EventTypePage Page, ListEventTypesQuery Query)
    {
        public bool IsFirstPage => Query.PageToken is null;

        /// <summary>The card's heading: "Event types" on another page (Availability), something else under the page's own h1.</summary>
        public string Heading { get; init; } = "Event types";

        public string? MoreUrl => Page.NextPageToken is { } token
            ? $"/event-types?{(Query.Count is { } count ? $"count={count}&" : "")}pageToken={Uri.EscapeDataString(token)}"
            : null;
    }

    public sealed class ListEventTypesQueryValidator : AbstractValidator<ListEventTypesQuery>
    {
        public ListEventTypesQueryValidator() =>
            RuleFor(q => q.Count).InclusiveBetween(1, MaxCount).WithMessage($"must be a whole number from 1 to {MaxCount}.");
    }

    private const string RealtorRefusal =
        "Event types here are a coach's own. Realtors see coaches' event types on the Coaches page (/coaches).";

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/calendly/events/types", ListEventTypes)
            .RequireAuthorization()
            .Validate<ListEventTypesQuery>()
            .ProducesCalendlyErrors()
            .WithTags("EventTypes")
            .WithSummary("The signed-in coach's active Calendly event types, paginated (count 1–100, pageToken from nextPageToken).");
        // The page takes the same query without the validator: the client clamps count to 1–100, and a bad count in a
        // link is not worth an error page.
        app.MapGet("/event-types", ShowEventTypes).RequireAuthorization().ExcludeFromDescription();
    }

    private const string CalendlyUserSql = "select calendly_user_uri from calendly_integrations where user_id = @UserId";

    public static async Task<Results<Ok<Envelope<EventTypePage>>, ApiErrorResult>> ListEventTypes(
        [AsParameters] ListEventTypesQuery query, CurrentUser user, NpgsqlDataSource db, CalendlyCalls calls, CancellationToken ct)
    {
        if (user.IsRealtor) return ApiResults.Forbidden(RealtorRefusal);
        return TypedResults.Ok(Envelope.Of(await QueryEventTypes(query, user, db, calls, ct)));
    }

    public static async Task<IResult> ShowEventTypes([AsParameters] ListEventTypesQuery query, HttpContext context, CurrentUser user,
        NpgsqlDataSource db, CalendlyCalls calls, CancellationToken ct)
    {
        if (user.IsRealtor)
            return ErrorPages.Page(context, StatusCodes.Status403Forbidden, "Event types are for coaches", RealtorRefusal, "/coaches", "See the coaches");
        var view = new EventTypesView(await QueryEventTypes(query, user, db, calls, ct), query);
        return HtmxPages.PageOrPartial(context, EventTypesPage.Create(view), _EventTypeList.Create(view));
    }

    private static async Task<EventTypePage> QueryEventTypes(ListEventTypesQuery query, CurrentUser user, NpgsqlDataSource db,
        CalendlyCalls calls, CancellationToken ct)
    {
        string? calendlyUserUri;
        await using (var connection = await db.OpenConnectionAsync(ct))
            calendlyUserUri = await connection.QuerySingleOrDefaultAsync<string>(
                new CommandDefinition(CalendlyUserSql, new { UserId = user.Id }, cancellationToken: ct));
        // Calendly lists event types by owner URI, which only a connection has.
        if (calendlyUserUri is null) throw new CalendlyException(CalendlyFailure.NotConnected, "Connect your Calendly account first.");

        var page = await calls.RunAsync(user.Id, (client, accessToken) =>
            client.ListEventTypesAsync(accessToken, calendlyUserUri, query.Count ?? DefaultCount, query.PageToken, ct), ct);
        return new EventTypePage(
            [.. page.Collection.Select(t => new EventTypeItem(t.Name, t.Uri, t.Slug, t.Duration, t.Kind, t.Active, t.SchedulingUrl,
                t.Color, t.DescriptionPlain))],
            page.Pagination?.NextPageToken);
    }
}
