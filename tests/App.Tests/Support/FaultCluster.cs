using System.Diagnostics;

namespace App.Tests.Support;

/// <summary>
/// The app as an operator runs it, for faults that need real processes: a PostgreSQL cluster of its own
/// (scripts/postgres.sh, name "faults", so stopping or freezing it disturbs no other test), the simulator and app
/// instances as separate processes (the builds next to the test's, started like `dotnet App.dll`), killed at the end.
/// </summary>
public sealed class FaultCluster : IAsyncDisposable
{
    private const string ClusterName = "faults";
    private readonly List<Process> _processes = [];

    private FaultCluster(string repoRoot, string adminUrl, string simulatorUrl)
    {
        RepoRoot = repoRoot;
        AdminUrl = adminUrl;
        SimulatorUrl = simulatorUrl;
        DatabaseUrl = new Npgsql.NpgsqlConnectionStringBuilder(adminUrl) { Database = "calendly_faults" }.ConnectionString;
    }

    public string RepoRoot { get; }
    public string AdminUrl { get; }
    public string DatabaseUrl { get; }
    public string SimulatorUrl { get; }

    public static async Task<FaultCluster> StartAsync()
    {
        var root = AppProcesses.RepoRoot;
        var adminUrl = (await PostgresAsync(root, "start", ClusterName)).Trim().Split('\n')[^1];
        // A fresh database each run: what an earlier run left is not this run's.
        await using (var admin = new Npgsql.NpgsqlConnection(adminUrl))
        {
            await admin.OpenAsync();
            await using var drop = new Npgsql.NpgsqlCommand("drop database if exists calendly_faults with (force)", admin);
            await drop.ExecuteNonQueryAsync();
            await using var create = new Npgsql.NpgsqlCommand("create database calendly_faults", admin);
            await create.ExecuteNonQueryAsync();
        }
        var simPort = AppProcesses.FreePort();
        var cluster = new FaultCluster(root, adminUrl, $"http://127.0.0.1:{simPort}");
        cluster.Start("Calendly.Simulator", new() { ["SIM_PORT"] = simPort.ToString(), ["PUBLIC_BASE_URL"] = "http://127.0.0.1:1" });
        await cluster.WaitUntilAnswersAsync($"{cluster.SimulatorUrl}/_sim/stats");
        return cluster;
    }

    /// <summary>Starts an app instance and returns its base URL once it is ready.</summary>
    public async Task<(string BaseUrl, Process Process)> StartAppAsync(Dictionary<string, string>? settings = null)
    {
        var port = AppProcesses.FreePort();
        var environment = new Dictionary<string, string>
        {
            ["DATABASE_URL"] = DatabaseUrl,
            ["PORT"] = port.ToString(),
            // Two instances on one machine: neither takes the scrape port.
            ["METRICS_PORT"] = "0",
            ["PUBLIC_BASE_URL"] = "http://127.0.0.1:1",
            ["CALENDLY_API_BASE_URL"] = SimulatorUrl,
            ["CALENDLY_AUTH_BASE_URL"] = SimulatorUrl,
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["Logging__LogLevel__Default"] = "Warning",
            // Two instances, and whatever else runs on the machine: neither takes the default metrics port.
            ["METRICS_PORT"] = "0",
        };
        foreach (var (name, value) in settings ?? []) environment[name] = value;
        var process = Start("App", environment);
        var baseUrl = $"http://localhost:{port}";
        await WaitUntilAnswersAsync($"{baseUrl}/readyz");
        return (baseUrl, process);
    }

    private Process Start(string project, Dictionary<string, string> environment)
    {
        // What the process writes, kept for when it dies or misbehaves (the path is in the test's output).
        var path = Path.Combine(Path.GetTempPath(), $"calendly-faults-{project}-{Guid.NewGuid():N}.log");
        var log = new StreamWriter(path) { AutoFlush = true };
        var process = AppProcesses.Start(project, environment, line => { lock (log) log.WriteLine(line); });
        Console.WriteLine($"{project} (pid {process.Id}) writes to {path}");
        _processes.Add(process);
        return process;
    }

    public Task StopDatabaseAsync() => PostgresAsync(RepoRoot, "stop", ClusterName);

    public async Task StartDatabaseAgainAsync()
    {
        var url = (await PostgresAsync(RepoRoot, "start", ClusterName)).Trim().Split('\n')[^1];
        if (url != AdminUrl) throw new InvalidOperationException($"PostgreSQL came back at another address ({url}, was {AdminUrl}).");
    }

    /// <summary>SIGSTOP to every PostgreSQL process: connections stay open, nothing answers.</summary>
    public Task FreezeDatabaseAsync() => PostgresAsync(RepoRoot, "signal", ClusterName, "STOP");

    public Task ThawDatabaseAsync() => PostgresAsync(RepoRoot, "signal", ClusterName, "CONT");

    private static async Task<string> PostgresAsync(string root, params string[] args)
    {
        var start = new ProcessStartInfo(Path.Combine(root, "scripts", "postgres.sh"), args)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = root,
        };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"postgres.sh {string.Join(' ', args)}: {await errors}");
        return await output;
    }

    public Task WaitUntilAnswersAsync(string url, TimeSpan? within = null) => AppProcesses.WaitUntilAnswersAsync(url, within);

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _processes)
        {
            if (!process.HasExited) process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            process.Dispose();
        }
        try { await ThawDatabaseAsync(); } catch (InvalidOperationException) { /* not running */ }
        await PostgresAsync(RepoRoot, "stop", ClusterName);
    }
}
