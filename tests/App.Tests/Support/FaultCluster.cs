using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

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
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Calendly.Slices.sln"))) root = Path.GetDirectoryName(root.TrimEnd('/'))!;
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
        var simPort = FreePort();
        var cluster = new FaultCluster(root, adminUrl, $"http://127.0.0.1:{simPort}");
        cluster.Start("Calendly.Simulator", new() { ["SIM_PORT"] = simPort.ToString(), ["PUBLIC_BASE_URL"] = "http://127.0.0.1:1" });
        await cluster.WaitUntilAnswersAsync($"{cluster.SimulatorUrl}/_sim/stats");
        return cluster;
    }

    /// <summary>Starts an app instance and returns its base URL once it is ready.</summary>
    public async Task<(string BaseUrl, Process Process)> StartAppAsync(Dictionary<string, string>? settings = null)
    {
        var port = FreePort();
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
            // Two instances on one machine cannot share the metrics listener (9091 by default): the second would not start.
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
        var directory = Path.Combine(RepoRoot, "src", project);
        var dll = Path.Combine(AppContext.BaseDirectory, $"{project}.dll");
        // The build of this test's own configuration (bin/Debug/… beside a test built Debug), not another one left behind.
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var built = Directory.GetFiles(Path.Combine(directory, "bin", configuration), $"{project}.dll", SearchOption.AllDirectories)
            .Where(path => File.Exists(Path.ChangeExtension(path, ".runtimeconfig.json")))
            .OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            ?? throw new InvalidOperationException($"{project} is not built ({dll}).");
        var start = new ProcessStartInfo("dotnet", [built]) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var process = Process.Start(start)!;
        // What the process wrote, kept for when it dies or misbehaves (the path is in the test's output).
        var log = new StreamWriter(Path.Combine(Path.GetTempPath(), $"calendly-faults-{project}-{process.Id}.log")) { AutoFlush = true };
        Console.WriteLine($"{project} (pid {process.Id}) writes to {((FileStream)log.BaseStream).Name}");
        void Write(string? line) { if (line is not null) lock (log) log.WriteLine(line); }
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
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

    public async Task WaitUntilAnswersAsync(string url, TimeSpan? within = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(90));
        while (true)
        {
            try
            {
                if ((await http.GetAsync(url)).StatusCode == HttpStatusCode.OK) return;
            }
            catch (Exception) when (DateTime.UtcNow < deadline)
            {
                // not listening yet
            }
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"{url} did not answer 200 in time.");
            await Task.Delay(200);
        }
    }

    private static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

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
