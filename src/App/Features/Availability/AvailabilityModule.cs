using FluentValidation;

[assembly: NavigationLink("/availability", "Availability", 40, ShownTo = Audience.CoachesAndAdmins)]

namespace App.Features.Availability;

/// <summary>
/// A coach's Calendly availability schedules: weekly hours, date overrides and the schedule's time zone. JSON for other
/// apps, and the /availability page, which shows them next to the coach's event types.
/// </summary>
public sealed class AvailabilityModule : ICarterModule
{
    /// <summary>Calendly edits schedules in its own app; the simulator has no editor, so its booking page stands in.</summary>
    public const string CalendlyScheduleEditor = "https://calendly.com/app/availability/schedules";

    public static readonly IReadOnlyList<string> Weekdays = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];

    public sealed record ListSchedulesQuery(string? UserUri);

    /// <summary>From and to are wall-clock times ("HH:MM", 24 h) in the schedule's time zone, as Calendly gives them.</summary>
    public sealed record Interval(string From, string To);

    /// <summary>An empty interval list means unavailable that day.</summary>
    public sealed record WeekdayHours(string Day, IReadOnlyList<Interval> Intervals);

    /// <summary>Replaces the weekly hours on one date (YYYY-MM-DD).</summary>
    public sealed record DateOverride(string Date, IReadOnlyList<Interval> Intervals);

    public sealed record Schedule(
        string Uri, string Name, bool Default, string User, string Timezone, IReadOnlyList<WeekdayHours> Weekly,
        IReadOnlyList<DateOverride> DateOverrides);

    public sealed record ScheduleList(IReadOnlyList<Schedule> Items);

    public sealed record AvailabilityView(IReadOnlyList<Schedule> Schedules, string EditUrl);

    public sealed class ListSchedulesQueryValidator : AbstractValidator<ListSchedulesQuery>
    {
        public ListSchedulesQueryValidator() =>
            RuleFor(q => q.UserUri)
                .Must(uri => Uri.TryCreate(uri, UriKind.Absolute, out var parsed) && parsed.Scheme is "https" or "http")
                .When(q => q.UserUri is not null)
                .WithMessage("must be an absolute https or http URI, such as https://api.calendly.com/users/{uuid}.");
    }

    private const string RealtorRefusal =
        "Availability schedules here are a coach's own. Realtors see coaches' free times on the Coaches page (/coaches).";

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/api/calendly/availability/schedules", ListSchedules)
            .RequireAuthorization()
            .Validate<ListSchedulesQuery>()
            .ProducesCalendlyErrors()
            .WithTags("Availability")
            .WithSummary("A coach's Calendly availability schedules: the caller's own, or (admins) another user's by userUri.");
        app.MapGet("/availability", ShowAvailability).RequireAuthorization().ExcludeFromDescription();
    }

    private sealed record CalendlyAccount(string CalendlyUserUri, string? SchedulingUrl);

    private const string AccountSql = """
        select calendly_user_uri, scheduling_url from calendly_integrations where user_id = @UserId
        """;

    public static async Task<Results<Ok<Envelope<ScheduleList>>, ApiErrorResult>> ListSchedules(
        [AsParameters] ListSchedulesQuery query, CurrentUser user, NpgsqlDataSource db, CalendlyCalls calls, CancellationToken ct)
    {
        if (user.IsRealtor) return ApiResults.Forbidden(RealtorRefusal);
        var account = await QueryCalendlyAccount(db, user, ct);
        // 403, not 404: the refusal is decided from the caller alone, without looking the URI up anywhere, so it is the
        // same answer for every URI that is not theirs and reveals nothing about which users exist.
        if (query.UserUri is { } requested && !user.IsAdmin && !SameResource(requested, account.CalendlyUserUri))
            return ApiResults.Forbidden("You can read only your own availability schedules: leave out userUri or pass your own Calendly user URI.");
        // An admin's request goes out with the admin's own token; Calendly decides (its 403 becomes calendly_forbidden).
        var schedules = await QuerySchedules(calls, user, query.UserUri ?? account.CalendlyUserUri, ct);
        return TypedResults.Ok(Envelope.Of(new ScheduleList(schedules)));
    }

    public static async Task<IResult> ShowAvailability(HttpContext context, CurrentUser user, NpgsqlDataSource db, CalendlyCalls calls,
        CalendlyOptions calendly, CancellationToken ct)
    {
        if (user.IsRealtor)
            return ErrorPages.Page(context, StatusCodes.Status403Forbidden, "Availability is for coaches", RealtorRefusal, "/coaches", "See the coaches");
        var account = await QueryCalendlyAccount(db, user, ct);
        var schedules = await QuerySchedules(calls, user, account.CalendlyUserUri, ct);
        var editUrl = calendly.UseRealCalendly ? CalendlyScheduleEditor : account.SchedulingUrl ?? calendly.ApiBaseUrl.ToString();
        var view = new AvailabilityView(schedules, editUrl);
        return HtmxPages.PageOrPartial(context, AvailabilityPage.Create(view), _AvailabilitySchedules.Create(view));
    }

    /// <summary>Calendly's rules (one per weekday or date) as a full week, Sunday first, and the date overrides by date.</summary>
    public static Schedule ToSchedule(AvailabilitySchedule schedule)
    {
        static IReadOnlyList<Interval> Intervals(IEnumerable<AvailabilityRule> rules) =>
            [.. rules.SelectMany(r => r.Intervals).Select(i => new Interval(i.From, i.To)).OrderBy(i => i.From, StringComparer.Ordinal)];

        var weekly = Weekdays.Select(day => new WeekdayHours(day, Intervals(schedule.Rules.Where(r =>
            r.Type == "wday" && string.Equals(r.Wday, day, StringComparison.OrdinalIgnoreCase)))));
        var overrides = schedule.Rules.Where(r => r.Type == "date" && r.Date is not null)
            .GroupBy(r => r.Date!)
            .OrderBy(g => g.Key, StringComparer.Ordinal)
            .Select(g => new DateOverride(g.Key, Intervals(g)));
        return new Schedule(schedule.Uri, schedule.Name, schedule.Default, schedule.User, schedule.Timezone, [.. weekly], [.. overrides]);
    }

    private static async Task<CalendlyAccount> QueryCalendlyAccount(NpgsqlDataSource db, CurrentUser user, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<CalendlyAccount>(new CommandDefinition(AccountSql, new { UserId = user.Id }, cancellationToken: ct))
            // Whose schedules are "mine" is known only through a connection.
            ?? throw new CalendlyException(CalendlyFailure.NotConnected, "Connect your Calendly account first.");
    }

    private static async Task<IReadOnlyList<Schedule>> QuerySchedules(CalendlyCalls calls, CurrentUser user, string calendlyUserUri,
        CancellationToken ct)
    {
        var page = await calls.RunAsync(user.Id, (client, accessToken) => client.ListAvailabilitySchedulesAsync(accessToken, calendlyUserUri, ct), ct);
        return [.. page.Collection.OrderByDescending(s => s.Default).ThenBy(s => s.Name, StringComparer.Ordinal).Select(ToSchedule)];
    }

    /// <summary>Calendly URIs name the same user whatever the host's case or a trailing slash.</summary>
    private static bool SameResource(string a, string b) =>
        Uri.Compare(new Uri(a.TrimEnd('/')), new Uri(b.TrimEnd('/')), UriComponents.HttpRequestUrl, UriFormat.SafeUnescaped,
            StringComparison.Ordinal) == 0;
}
