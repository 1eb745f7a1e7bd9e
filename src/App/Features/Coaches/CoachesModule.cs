using FluentValidation;
using ZiggyCreatures.Caching.Fusion;
using App.Infrastructure.Caching;

[assembly: NavigationLink("/coaches", "Coaches", 20)]

namespace App.Features.Coaches;

/// <summary>
/// Every connected coach, for every signed-in user (realtors browse them), with the event types a realtor can book.
/// Event types come from each coach's Calendly, cached per coach with fail-safe: a coach whose Calendly is down
/// still shows what was last known, and one whose connection is broken shows none rather than failing the list.
/// </summary>
public sealed class CoachesModule : ICarterModule
{
    public sealed record CoachListQuery(int? Count, string? PageToken);

    public sealed class CoachListQueryValidator : AbstractValidator<CoachListQuery>
    {
        public CoachListQueryValidator()
        {
            RuleFor(q => q.Count).InclusiveBetween(1, 100).WithMessage("must be between 1 and 100.");
            RuleFor(q => q.PageToken).Must(t => t is null || PageToken.TryRead(t, out _)).WithMessage("is not a page token from this list.");
        }
    }

    public sealed record CoachEventType(string Uri, string Name, int Duration, string? SchedulingUrl, string? Kind);

    public sealed record Coach(long Id, string Name, string? Email, string? SchedulingUrl, IReadOnlyList<CoachEventType> EventTypes,
        bool EventTypesAvailable);

    public sealed record CoachPage(IReadOnlyList<Coach> Items, string? NextPageToken);

    public sealed record CoachesView(CoachPage Page, CurrentUser Viewer);

    private sealed record CoachRow(long Id, string? Email, string? SchedulingUrl, string CalendlyUserUri, string Name);

    // Keyset pagination on users.id: stable while coaches connect and disconnect.
    private const string CoachesSql = """
        select u.id, u.email, i.scheduling_url, i.calendly_user_uri, n.name
        from calendly_integrations i
        join users u on u.id = i.user_id
        join display_names n on n.user_id = u.id
        where i.status = 'active' and u.role in ('coach', 'admin') and u.id > @After
        order by u.id
        limit @Limit
        """;

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/coaches", ListCoaches)
            .RequireAuthorization()
            .ProducesErrors(StatusCodes.Status400BadRequest)
            .WithTags("Coaches")
            .WithSummary("Connected coaches and the event types a realtor can book with them.");
        app.MapGet("/coaches", ShowCoaches).RequireAuthorization().ExcludeFromDescription();
    }

    public static async Task<Results<Ok<Envelope<CoachPage>>, ApiErrorResult>> ListCoaches(
        [AsParameters] CoachListQuery query, HttpContext context, NpgsqlDataSource db, CalendlyCalls calendly, IFusionCache cache,
        CancellationToken ct)
    {
        if (await Validation.ProblemsAsync(context, query) is { } problems) return ApiResults.Validation(problems);
        return TypedResults.Ok(Envelope.Of(await QueryCoaches(query, db, calendly, cache, ct)));
    }

    public static async Task<IResult> ShowCoaches([AsParameters] CoachListQuery query, HttpContext context, CurrentUser user,
        NpgsqlDataSource db, CalendlyCalls calendly, IFusionCache cache, CancellationToken ct)
    {
        if (await Validation.ProblemsAsync(context, query) is not null) query = new CoachListQuery(null, null);
        var view = new CoachesView(await QueryCoaches(query, db, calendly, cache, ct), user);
        return HtmxPages.PageOrPartial(context, CoachesPage.Create(view), _CoachList.Create(view));
    }

    private static async Task<CoachPage> QueryCoaches(CoachListQuery query, NpgsqlDataSource db, CalendlyCalls calendly, IFusionCache cache,
        CancellationToken ct)
    {
        var count = query.Count ?? 20;
        var after = query.PageToken is { } pageToken && PageToken.TryRead(pageToken, out var id) ? id : 0;
        List<CoachRow> rows;
        await using (var connection = await db.OpenConnectionAsync(ct))
            rows = (await connection.QueryAsync<CoachRow>(new CommandDefinition(CoachesSql, new { After = after, Limit = count + 1 }, cancellationToken: ct))).AsList();

        var page = rows.Take(count).ToList();
        var coaches = await Task.WhenAll(page.Select(row => WithEventTypes(row, calendly, cache, ct)));
        return new CoachPage(coaches, rows.Count > count ? PageToken.Write(page[^1].Id) : null);
    }

    private static async Task<Coach> WithEventTypes(CoachRow row, CalendlyCalls calendly, IFusionCache cache, CancellationToken ct)
    {
        try
        {
            var types = await cache.GetOrSetAsync<IReadOnlyList<EventType>>(
                $"coach-event-types:{row.Id}",
                async (_, cancellation) =>
                {
                    var all = new List<EventType>();
                    await foreach (var type in CalendlyClient.AllPagesAsync(pageToken =>
                        calendly.RunAsync(row.Id, (client, accessToken) => client.ListEventTypesAsync(accessToken, row.CalendlyUserUri, 100, pageToken, cancellation), cancellation),
                        maxItems: 100))
                        all.Add(type);
                    return all;
                },
                options => options.SetDuration(TimeSpan.FromMinutes(5)).SetFailSafe(true, TimeSpan.FromHours(12)).SetFactoryTimeouts(TimeSpan.FromSeconds(3)),
                tags: [CacheTags.CoachProfile(row.Id)],
                token: ct);
            return new Coach(row.Id, row.Name, row.Email, row.SchedulingUrl,
                types.Where(t => t.Active && t.Secret != true)
                    .Select(t => new CoachEventType(t.Uri, t.Name, t.Duration, t.SchedulingUrl, t.Kind)).ToList(), true);
        }
        catch (CalendlyException)
        {
            // This coach's Calendly is unreachable and nothing is cached: list them without bookable event types.
            return new Coach(row.Id, row.Name, row.Email, row.SchedulingUrl, [], false);
        }
    }

    /// <summary>Opaque page tokens: the last coach id of the page, so clients do not build them.</summary>
    internal static class PageToken
    {
        public static string Write(long lastId) => Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlEncode(BitConverter.GetBytes(lastId));

        public static bool TryRead(string pageToken, out long lastId)
        {
            lastId = 0;
            try
            {
                var bytes = Microsoft.AspNetCore.WebUtilities.WebEncoders.Base64UrlDecode(pageToken);
                if (bytes.Length != sizeof(long)) return false;
                lastId = BitConverter.ToInt64(bytes);
                return lastId > 0;
            }
            catch (FormatException)
            {
                return false;
            }
        }
    }
}
