using Calendly.Simulator.Api;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Tests.Support;
using Microsoft.AspNetCore.Routing;

namespace Calendly.Simulator.Tests.Api;

[ClassDataSource<SimulatorFixture>(Shared = SharedType.PerTestSession)]
public sealed class ScopeEnforcementTests(SimulatorFixture fixture)
{
    [Test]
    public async Task Every_api_route_declares_the_scopes_it_needs()
    {
        var api = fixture.Simulator.Service<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<EndpointKind>() == EndpointKind.Api).ToList();

        var undeclared = api.Where(e => e.Metadata.GetMetadata<ScopeRequirement>() is null).Select(e => e.DisplayName).ToList();

        await Assert.That(api.Count).IsGreaterThanOrEqualTo(22);
        await Assert.That(undeclared).IsEmpty();
    }
}
