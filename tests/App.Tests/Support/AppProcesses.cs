using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace App.Tests.Support;

/// <summary>
/// The app and the simulator as an operator runs them: separate processes, started like <c>dotnet App.dll</c> from the
/// build of the same configuration as the caller's (the fault suite's Debug, the benchmarks' Release).
/// </summary>
public static class AppProcesses
{
    public static string RepoRoot { get; } = FindRepoRoot();

    /// <summary>Starts src/<paramref name="project"/>'s build with the given environment; its output goes to <paramref name="output"/> or is dropped.</summary>
    public static Process Start(string project, IReadOnlyDictionary<string, string> environment, Action<string>? output = null)
    {
        var directory = Path.Combine(RepoRoot, "src", project);
        // AppContext.BaseDirectory ends in bin/<Configuration>/<framework>/, as does the project's own build.
        var build = AppContext.BaseDirectory[(AppContext.BaseDirectory.LastIndexOf("/bin/", StringComparison.Ordinal) + 1)..];
        var dll = Path.Combine(directory, build, $"{project}.dll");
        if (!File.Exists(dll)) throw new InvalidOperationException($"{project} is not built ({dll}).");
        var start = new ProcessStartInfo("dotnet", [dll]) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var (name, value) in environment) start.Environment[name] = value;
        var process = Process.Start(start)!;
        process.OutputDataReceived += (_, line) => { if (line.Data is { } data) output?.Invoke(data); };
        process.ErrorDataReceived += (_, line) => { if (line.Data is { } data) output?.Invoke(data); };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    public static async Task WaitUntilAnswersAsync(string url, TimeSpan? within = null)
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

    public static int FreePort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return port;
    }

    private static string FindRepoRoot()
    {
        var root = AppContext.BaseDirectory;
        while (!File.Exists(Path.Combine(root, "Calendly.Slices.sln"))) root = Path.GetDirectoryName(root.TrimEnd('/'))!;
        return root;
    }
}
