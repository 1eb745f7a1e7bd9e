[assembly: NavigationLink(App.Features.Dashboard.DashboardModule.PagePath, "Dashboard", 10)]
[assembly: HomePage(App.Features.Dashboard.DashboardModule.PagePath, "the dashboard")]

namespace App.Features.Dashboard;

/// <summary>The signed-in home page. Later slices add their cards to the panel.</summary>
public sealed class DashboardModule : ICarterModule
{
    public const string PagePath = "/dashboard";

    public sealed record DashboardView(CurrentUser User, string Mode, DateTimeOffset RenderedAt);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet(PagePath, ShowDashboard).RequireAuthorization().ExcludeFromDescription();
    }

    public static IResult ShowDashboard(HttpContext context, CurrentUser user, CalendlyOptions calendly, TimeProvider clock)
    {
        var view = new DashboardView(user, calendly.Mode, clock.GetUtcNow());
        return HtmxPages.PageOrPartial(context, DashboardPage.Create(view), _DashboardPanel.Create(view));
    }
}
