using App.Infrastructure.Database;
using App.Tests.Support;
using Dapper;
using Microsoft.Extensions.Logging.Abstractions;

namespace App.Tests.Infrastructure;

public sealed class MigrationTests
{
    [Test]
    public async Task Migrations_apply_to_an_empty_database_and_journal_every_script()
    {
        await using var database = await TestDatabase.CreateAsync();
        await DatabaseMigrator.MigrateAsync(database.ConnectionString, NullLogger.Instance);

        await using var connection = await database.OpenAsync();
        var tables = (await connection.QueryAsync<string>(
            "select table_name from information_schema.tables where table_schema = 'public'")).ToHashSet();
        await Assert.That(tables).Contains("users");
        await Assert.That(tables).Contains("calendly_integrations");
        await Assert.That(tables).Contains("calendly_availability_cache");
        await Assert.That(tables).Contains("calendly_webhook_events");
        var journaled = (await connection.QueryAsync<string>("select scriptname from schemaversions")).ToList();
        await Assert.That(journaled).IsEquivalentTo(DatabaseMigrator.ScriptNames);
        await Assert.That(await DatabaseMigrator.PendingScriptsAsync(connection, CancellationToken.None)).IsEmpty();
    }

    [Test]
    public async Task Migrating_twice_in_a_row_changes_nothing_the_second_time()
    {
        await using var database = await TestDatabase.CreateAsync();
        await DatabaseMigrator.MigrateAsync(database.ConnectionString, NullLogger.Instance);
        await DatabaseMigrator.MigrateAsync(database.ConnectionString, NullLogger.Instance);

        await using var connection = await database.OpenAsync();
        var runs = await connection.ExecuteScalarAsync<int>("select count(*) from schemaversions");
        await Assert.That(runs).IsEqualTo(DatabaseMigrator.ScriptNames.Count);
    }

    [Test]
    public async Task Instances_starting_at_once_migrate_once()
    {
        await using var database = await TestDatabase.CreateAsync();
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ =>
            Task.Run(() => DatabaseMigrator.MigrateAsync(database.ConnectionString, NullLogger.Instance))));

        await using var connection = await database.OpenAsync();
        var duplicates = await connection.ExecuteScalarAsync<int>(
            "select count(*) from (select scriptname from schemaversions group by scriptname having count(*) > 1) d");
        await Assert.That(duplicates).IsEqualTo(0);
        await Assert.That(await connection.ExecuteScalarAsync<int>("select count(*) from schemaversions"))
            .IsEqualTo(DatabaseMigrator.ScriptNames.Count);
    }

    [Test]
    public async Task Schema_has_the_indexes_the_background_jobs_need()
    {
        await using var database = await TestDatabase.CreateAsync();
        await DatabaseMigrator.MigrateAsync(database.ConnectionString, NullLogger.Instance);

        await using var connection = await database.OpenAsync();
        var indexes = (await connection.QueryAsync<string>("select indexname from pg_indexes where schemaname = 'public'")).ToHashSet();
        await Assert.That(indexes).Contains("calendly_integrations_expiring_idx");
        await Assert.That(indexes).Contains("calendly_webhook_events_due_idx");
        await Assert.That(indexes).Contains("calendly_webhook_events_dedupe_idx");
    }

    [Test]
    public async Task Deleting_a_user_deletes_their_integration_and_cache()
    {
        await using var database = await TestDatabase.CreateAsync();
        await DatabaseMigrator.MigrateAsync(database.ConnectionString, NullLogger.Instance);

        await using var connection = await database.OpenAsync();
        var userId = await connection.ExecuteScalarAsync<long>(
            "insert into users (external_id, email, role) values ('u1', 'u1@example.test', 'coach') returning id");
        await connection.ExecuteAsync("""
            insert into calendly_integrations (user_id, access_token, refresh_token, expires_at, calendly_user_uri)
            values (@userId, 'a', 'r', now() + interval '2 hours', 'https://api.calendly.com/users/u1');
            insert into calendly_availability_cache (user_id, data, expires_at) values (@userId, '{}', now());
            """, new { userId });

        await connection.ExecuteAsync("delete from users where id = @userId", new { userId });

        await Assert.That(await connection.ExecuteScalarAsync<int>("select count(*) from calendly_integrations")).IsEqualTo(0);
        await Assert.That(await connection.ExecuteScalarAsync<int>("select count(*) from calendly_availability_cache")).IsEqualTo(0);
    }

    [Test]
    public async Task A_connection_stored_without_its_granted_scopes_counts_as_Calendly_s_legacy_grant()
    {
        await using var database = await TestDatabase.CreateAsync();
        await DatabaseMigrator.MigrateAsync(database.ConnectionString, NullLogger.Instance);

        await using var connection = await database.OpenAsync();
        var userId = await connection.ExecuteScalarAsync<long>(
            "insert into users (external_id, email, role) values ('u3', 'u3@example.test', 'coach') returning id");
        // As every connection made before 0009_granted_scopes was: its scopes were checked then, not stored.
        await connection.ExecuteAsync("""
            insert into calendly_integrations (user_id, access_token, refresh_token, expires_at, calendly_user_uri)
            values (@userId, 'a', 'r', now() + interval '2 hours', 'https://api.calendly.com/users/u3')
            """, new { userId });

        await Assert.That(await connection.ExecuteScalarAsync<string>("select granted_scopes from calendly_integrations where user_id = @userId",
            new { userId })).IsEqualTo("default");
    }

    [Test]
    public async Task The_schema_rejects_an_unknown_role()
    {
        await using var database = await TestDatabase.CreateAsync();
        await DatabaseMigrator.MigrateAsync(database.ConnectionString, NullLogger.Instance);

        await using var connection = await database.OpenAsync();
        await Assert.That(() => connection.ExecuteAsync(
                "insert into users (external_id, email, role) values ('u2', 'u2@example.test', 'superuser')"))
            .Throws<Npgsql.PostgresException>();
    }
}
