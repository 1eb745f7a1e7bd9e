using System.Globalization;
using System.Net;
using App.Infrastructure.Calendly;
using App.Tests.Support;
using Dapper;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace Benchmarks;

/// <summary>The app as the benchmarks run it: Release, Production, on Kestrel on a loopback port, its background jobs off unless asked.</summary>
public sealed class BenchmarkApp : IAsyncDisposable
{
    private readonly WebApplicationFactory<Program> _factory;

    private BenchmarkApp(WebApplicationFactory<Program> factory, string url)
    {
        _factory = factory;
        Url = url;
    }

    public string Url { get; }
    public IServiceProvider Services => _factory.Services;

    public static BenchmarkApp Start(SimulatorServer simulator, TestDatabase database, int port, IReadOnlyDictionary<string, string>? settings = null)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSolutionRelativeContentRoot("src/App");
            // As deployed (Dockerfile, fly.toml): Production, so no developer exception page or DI scope checks; the
            // benchmarks sign in through the development tokens, which Production allows only when asked.
            builder.UseEnvironment("Production");
            builder.UseSetting("ALLOW_DEV_SIGN_IN", "true");
            builder.UseSetting("DATA_PROTECTION_KEK", Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)));
            builder.UseSetting("DATABASE_URL", database.ConnectionString);
            foreach (var (name, value) in simulator.AppSettings()) builder.UseSetting(name, value);
            // Only the work being measured runs: no background job adds calls to Calendly or to the database.
            foreach (var job in new[] { "TOKEN_REFRESH_ENABLED", "AVAILABILITY_SYNC_ENABLED", "WEBHOOK_HEALTH_ENABLED", "WEBHOOK_PROCESSING_ENABLED" })
                builder.UseSetting(job, "false");
            foreach (var (name, value) in Unthrottled.Settings) builder.UseSetting(name, value);
            // Metrics are still recorded as deployed; only the scrape port, which another app may hold, stays closed.
            builder.UseSetting("METRICS_PORT", "0");
            foreach (var (name, value) in settings ?? new Dictionary<string, string>()) builder.UseSetting(name, value);
            // appsettings.json's Default level (Information) outranks a minimum level set in code, so it is set here:
            // otherwise every upstream call logs several lines while it is being timed.
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
        });
        factory.UseKestrel(options => options.Listen(IPAddress.Loopback, port));
        factory.StartServer();
        return new BenchmarkApp(factory, $"http://127.0.0.1:{port}");
    }

    public static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>A coach connected to a fresh simulated account; returns the app user id and the account.</summary>
    public async Task<(long UserId, SimulatorServer.SimUser Account)> ConnectCoachAsync(TestDatabase database, SimulatorServer simulator)
    {
        var account = (await simulator.CreateUsersAsync(1))[0];
        var tokens = await simulator.IssueTokensAsync(account.Uri);
        long userId;
        await using (var db = await database.OpenAsync())
            userId = await db.ExecuteScalarAsync<long>(
                "insert into users (external_id, email, role) values (@Uuid, @Email, 'coach') returning id", new { account.Uuid, account.Email });
        await Services.GetRequiredService<CalendlyTokens>().SaveConnectionAsync(userId,
            new TokenResponse(tokens.AccessToken, tokens.RefreshToken, "Bearer", tokens.ExpiresIn, tokens.CreatedAt, tokens.Owner, tokens.Organization, "default"),
            new CalendlyUser(account.Uri, "Bench Coach", account.Uuid, account.Email, account.SchedulingUrl, "UTC", null,
                DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, tokens.Organization),
            CancellationToken.None);
        return (userId, account);
    }

    /// <summary>The checkout the benchmark was built in (the folder holding run.sh).</summary>
    public static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
            if (File.Exists(Path.Combine(directory.FullName, "run.sh"))) return directory.FullName;
        throw new InvalidOperationException("No run.sh above " + AppContext.BaseDirectory);
    }

    public static string Format(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync() => await _factory.DisposeAsync();
}
