[assembly: NavigationLink(App.Features.Dashboard.DashboardModule.PagePath, "Dashboard", 10)]
[assembly: HomePage(App.Features.Dashboard.DashboardModule.PagePath, "the dashboard")]

namespace App.Features.Dashboard;

/// <summary>
/// The signed-in home page: what comes next for this person (their next session, how many follow) and the one thing
/// worth doing now (a realtor: find a coach; a coach: look at their sessions). Later slices add their cards below: a
/// coach's Calendly connection, and the call to connect or reconnect it, is the Status slice's card, said once there.
/// </summary>
public sealed class DashboardModule : ICarterModule
{
    public const string PagePath = "/dashboard";

    /// <summary>The next session, with the other person named, and for a realtor the coach's zone (their time is shown beside).</summary>
    public sealed record NextSession(string EventName, DateTimeOffset StartTime, DateTimeOffset EndTime, string OtherName, string? CoachTimeZone);

    public sealed record DashboardView(CurrentUser User, long UpcomingSessions, NextSession? Next)
    {
        public TimeZoneInfo Zone => TimeZoneInfo.TryFindSystemTimeZoneById(User.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;
    }

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet(PagePath, ShowDashboard).RequireAuthorization().ExcludeFromDescription();
    }

    // The sessions still to come that this person booked (a realtor) or was booked for (a coach), as the app knows them:
    // a group event with several invitees is one session.
    private const string UpcomingSessionsSql = """
        select count(distinct scheduled_event_uri) from sessions
        where (coach_id = @UserId or realtor_id = @UserId) and status = 'active' and start_time > @Now
        """;

    // The soonest of them: a realtor reads the coach's name (and zone), a coach the invitee's.
    private const string NextSessionSql = """
        select s.event_name, s.start_time, s.end_time,
               case when s.realtor_id = @UserId then coach_name.name
                    else coalesce(s.invitee_name, realtor_name.name, s.invitee_email, 'an invitee') end as other_name,
               case when s.realtor_id = @UserId then coach.time_zone end as coach_time_zone
        from sessions s
        join users coach on coach.id = s.coach_id
        join display_names coach_name on coach_name.user_id = s.coach_id
        left join display_names realtor_name on realtor_name.user_id = s.realtor_id
        where (s.coach_id = @UserId or s.realtor_id = @UserId) and s.status = 'active' and s.start_time > @Now
        order by s.start_time, s.id
        limit 1
        """;

    public static async Task<IResult> ShowDashboard(HttpContext context, CurrentUser user, TimeProvider clock, NpgsqlDataSource db,
        CancellationToken ct)
    {
        var parameters = new { UserId = user.Id, Now = clock.GetUtcNow() };
        await using var connection = await db.OpenConnectionAsync(ct);
        var upcoming = await connection.ExecuteScalarAsync<long>(new CommandDefinition(UpcomingSessionsSql, parameters, cancellationToken: ct));
        var next = upcoming == 0 ? null
            : await connection.QuerySingleOrDefaultAsync<NextSession>(new CommandDefinition(NextSessionSql, parameters, cancellationToken: ct));
        var view = new DashboardView(user, upcoming, next);
        return HtmxPages.PageOrPartial(context, DashboardPage.Create(view), _DashboardPanel.Create(view));
    }
}
