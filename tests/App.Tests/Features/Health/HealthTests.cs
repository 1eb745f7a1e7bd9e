using System.Net;
using App.Tests.Support;
using Dapper;

namespace App.Tests.Features.Health;

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class HealthTests(AppFixture app)
{
    [Test]
    public async Task Healthz_says_the_process_is_alive()
    {
        var response = await app.NewBrowser().GetAsync("/healthz");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
        await Assert.That(await response.Content.ReadAsStringAsync()).IsEqualTo("ok");
    }

    [Test]
    public async Task Readyz_is_ready_when_the_database_is_migrated()
    {
        var response = await app.NewBrowser().GetAsync("/readyz");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.OK);
    }

    [Test]
    public async Task Readyz_is_503_when_a_migration_is_missing()
    {
        await using var database = await TestDatabase.CreateAsync();
        await using var host = await AppHost.StartAsync(database.ConnectionString);
        await using (var db = await database.OpenAsync())
            await db.ExecuteAsync("delete from schemaversions where scriptname = (select max(scriptname) from schemaversions)");

        var response = await new Browser(host.Server.CreateClient()).GetAsync("/readyz");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.ServiceUnavailable);
        await Assert.That(await response.Content.ReadAsStringAsync()).Contains("migrations not applied");
    }

    [Test]
    public async Task Readyz_is_503_when_the_database_is_unreachable()
    {
        var database = await TestDatabase.CreateAsync();
        await using var host = await AppHost.StartAsync(database.ConnectionString);
        await database.DropAsync();

        var response = await new Browser(host.Server.CreateClient()).GetAsync("/readyz");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.ServiceUnavailable);
        await Assert.That(await response.Content.ReadAsStringAsync()).IsEqualTo("database unreachable");

        var alive = await new Browser(host.Server.CreateClient()).GetAsync("/healthz");
        await Assert.That(alive.StatusCode).IsEqualTo(HttpStatusCode.OK);
    }
}
