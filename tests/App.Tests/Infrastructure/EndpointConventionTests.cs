using App.Tests.Support;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace App.Tests.Infrastructure;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class EndpointConventionTests(AppFixture app)
{
    /// <summary>No route is public by accident: each one says whether it needs a signed-in user.</summary>
    [Test]
    public async Task Every_route_declares_its_authorization()
    {
        var undeclared = app.Host.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IAuthorizeData>() is null && e.Metadata.GetMetadata<IAllowAnonymous>() is null)
            .Select(e => e.RoutePattern.RawText)
            .ToList();
        await Assert.That(undeclared).IsEmpty();
    }
}
