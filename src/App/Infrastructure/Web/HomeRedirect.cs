namespace App.Infrastructure.Web;

/// <summary>"/" leads to the home page a slice declared (<see cref="HomePageAttribute"/>), signing in first where needed.</summary>
public sealed class HomeRedirect : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapGet("/", () => Results.Redirect(PageContributions.Home.Href)).AllowAnonymous().ExcludeFromDescription();
}
