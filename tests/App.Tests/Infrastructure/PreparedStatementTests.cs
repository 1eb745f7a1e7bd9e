using App.Tests.Support;
using Dapper;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace App.Tests.Infrastructure;

/// <summary>The app's data source prepares a statement it runs again and again (the webhook processor's batch upserts rely on it).</summary>
[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class PreparedStatementTests(AppFixture app)
{
    [Test]
    public async Task A_statement_run_again_and_again_on_a_connection_is_prepared()
    {
        await using var connection = await app.Host.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync();
        const string sql = "select count(*) from users where external_id = @Id";
        for (var i = 0; i < 10; i++) await connection.ExecuteScalarAsync<long>(sql, new { Id = "nobody" });

        var prepared = await connection.ExecuteScalarAsync<long>(
            "select count(*) from pg_prepared_statements where statement like 'select count(*) from users where external_id = $1%'");

        await Assert.That(prepared).IsEqualTo(1);
    }
}
