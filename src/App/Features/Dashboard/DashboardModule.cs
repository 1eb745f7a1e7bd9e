[assembly: NavigationLink(App.Features.Dashboard.DashboardModule.PagePath, "Dashboard", 10)]
[assembly: HomePage(App.Features.Dashboard.DashboardModule.PagePath, "the dashboard")]

namespace App.Features.Dashboard;

/// <summary>The signed-in home page. Later slices add their cards to the panel.</summary>
public sealed class DashboardModule : ICarterModule
{
    public const string PagePath = "/dashboard";

    public sealed record DashboardView(CurrentUser User, string Mode, DateTimeOffset RenderedAt, long UpcomingSessions);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet(PagePath, ShowDashboard).RequireAuthorization().ExcludeFromDescription();
    }

    // The sessions still to come that this person booked (a realtor) or was booked for (a coach), as the app knows them.
    private const string UpcomingSessionsSql = """
        select count(*) from sessions
        where (coach_id = @UserId or realtor_id = @UserId) and status = 'active' and start_time > @Now
        """;

    public static async Task<IResult> ShowDashboard(HttpContext context, CurrentUser user, CalendlyOptions calendly, TimeProvider clock,
        NpgsqlDataSource db, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        long upcoming;
        await using (var connection = await db.OpenConnectionAsync(ct))
            upcoming = await connection.ExecuteScalarAsync<long>(new CommandDefinition(UpcomingSessionsSql, new { UserId = user.Id, Now = now }, cancellationToken: ct));
        var view = new DashboardView(user, calendly.Mode, now, upcoming);
        return HtmxPages.PageOrPartial(context, DashboardPage.Create(view), _DashboardPanel.Create(view));
    }
}
