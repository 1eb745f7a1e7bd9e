[assembly: NavigationLink("/dashboard", "Dashboard", 10)]

namespace App.Features.Dashboard;

/// <summary>The signed-in home page. Later slices add their cards to the panel.</summary>
public sealed class DashboardModule : ICarterModule
{
    public sealed record DashboardView(CurrentUser User, string Mode, DateTimeOffset RenderedAt);

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Redirect("/dashboard")).AllowAnonymous().ExcludeFromDescription();
        app.MapGet("/dashboard", ShowDashboard).RequireAuthorization().ExcludeFromDescription();
    }

    public static IResult ShowDashboard(HttpContext context, CurrentUser user, CalendlyOptions calendly, TimeProvider clock)
    {
        var view = new DashboardView(user, calendly.Mode, clock.GetUtcNow());
        return HtmxPages.PageOrPartial(context, DashboardPage.Create(view), _DashboardPanel.Create(view));
    }
}
