using Dapper;
using Npgsql;

namespace App.Tests.Support;

/// <summary>
/// A fresh PostgreSQL database on the server ./test.sh starts (TEST_DATABASE_ADMIN_URL), dropped when disposed,
/// so test runs and parallel test projects never see each other's rows.
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    public static string AdminConnectionString { get; } =
        Environment.GetEnvironmentVariable("TEST_DATABASE_ADMIN_URL")
        ?? "Host=127.0.0.1;Port=55433;Username=app;Password=app;Database=postgres";

    private TestDatabase(string name, string connectionString)
    {
        Name = name;
        ConnectionString = connectionString;
    }

    public string Name { get; }
    public string ConnectionString { get; }

    public static async Task<TestDatabase> CreateAsync()
    {
        var name = $"app_test_{Guid.NewGuid():N}"[..20];
        await using (var admin = new NpgsqlConnection(AdminConnectionString))
        {
            await admin.ExecuteAsync($"create database {name}");
        }
        var connectionString = new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = name }.ConnectionString;
        return new TestDatabase(name, connectionString);
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task DropAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var admin = new NpgsqlConnection(AdminConnectionString);
        await admin.ExecuteAsync($"drop database if exists {Name} with (force)");
    }

    public ValueTask DisposeAsync() => new(DropAsync());
}
