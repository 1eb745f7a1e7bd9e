using DbUp;
using DbUp.Engine;

namespace App.Infrastructure.Database;

/// <summary>
/// Applies db/migrations/*.sql (embedded in the assembly, run in file-name order, one transaction per script)
/// with DbUp. Runs at startup and as the one-shot <c>dotnet App.dll migrate</c>.
/// </summary>
public static class DatabaseMigrator
{
    private const string ResourcePrefix = "migrations/";

    // Any fixed 64-bit number works; it only has to be the same in every instance of this app.
    private const long MigrationLockKey = 0x43414C454E444C59; // "CALENDLY"

    public static IReadOnlyList<string> ScriptNames { get; } = typeof(DatabaseMigrator).Assembly
        .GetManifestResourceNames()
        .Where(name => name.StartsWith(ResourcePrefix, StringComparison.Ordinal))
        .Select(name => name[ResourcePrefix.Length..])
        .Order(StringComparer.Ordinal)
        .ToArray();

    /// <summary>
    /// Several instances starting at once (a deploy that scales out) take a session-level advisory lock,
    /// so one of them migrates and the others find nothing left to do once the lock is theirs.
    /// </summary>
    public static async Task MigrateAsync(string connectionString, ILogger logger, CancellationToken ct = default)
    {
        await using var lockConnection = new NpgsqlConnection(connectionString);
        await lockConnection.OpenAsync(ct);
        await lockConnection.ExecuteAsync(new CommandDefinition(
            "select pg_advisory_lock(@MigrationLockKey)", new { MigrationLockKey }, cancellationToken: ct));
        try
        {
            var result = DeployChanges.To.PostgresqlDatabase(connectionString)
                .WithScripts(new EmbeddedMigrations())
                .WithTransactionPerScript()
                .LogTo(logger)
                .Build()
                .PerformUpgrade();
            if (!result.Successful)
                throw new InvalidOperationException($"Migration {result.ErrorScript?.Name} failed: {result.Error.Message}", result.Error);
        }
        finally
        {
            await lockConnection.ExecuteAsync("select pg_advisory_unlock(@MigrationLockKey)", new { MigrationLockKey });
        }
    }

    /// <summary>Names of embedded scripts the database has not recorded as applied.</summary>
    public static async Task<IReadOnlyList<string>> PendingScriptsAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        const string sql = """
            select scriptname from public.schemaversions
            """;
        if (!await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
                "select to_regclass('public.schemaversions') is not null", cancellationToken: ct)))
            return ScriptNames;
        var applied = (await connection.QueryAsync<string>(new CommandDefinition(sql, cancellationToken: ct))).ToHashSet();
        return ScriptNames.Where(name => !applied.Contains(name)).ToArray();
    }

    private sealed class EmbeddedMigrations : IScriptProvider
    {
        public IEnumerable<SqlScript> GetScripts(DbUp.Engine.Transactions.IConnectionManager connectionManager)
        {
            var assembly = typeof(DatabaseMigrator).Assembly;
            foreach (var name in ScriptNames)
            {
                using var stream = assembly.GetManifestResourceStream(ResourcePrefix + name)
                    ?? throw new InvalidOperationException($"Embedded migration {name} is missing.");
                using var reader = new StreamReader(stream);
                yield return new SqlScript(name, reader.ReadToEnd());
            }
        }
    }
}
