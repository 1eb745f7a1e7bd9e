using App.Infrastructure.Configuration;
using Alba;
using Carter;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace App.Tests.Support;

/// <summary>Starts the real app (Program) in memory with Alba, on a real database, with settings as environment names.</summary>
public static class AppHost
{
    public static Task<IAlbaHost> StartAsync(string connectionString, IReadOnlyDictionary<string, string>? settings = null,
        CapturedLogs? logs = null, Action<IServiceCollection>? services = null) =>
        AlbaHost.For<Program>(builder =>
        {
            builder.UseSetting("DATABASE_URL", connectionString);
            // Tests run the background jobs by hand; a background run would claim other tests' rows.
            builder.UseSetting("TOKEN_REFRESH_ENABLED", "false");
            builder.UseSetting("WEBHOOK_PROCESSING_ENABLED", "false");
            builder.UseSetting("WEBHOOK_HEALTH_ENABLED", "false");
            builder.UseSetting("AVAILABILITY_SYNC_ENABLED", "false");
            foreach (var (name, value) in Unthrottled.Settings) builder.UseSetting(name, value);
            // Hosts run side by side: none takes the metrics port unless its test gives it a free one.
            builder.UseSetting("METRICS_PORT", "0");
            // The shared test server answers slowly while every test runs at once on two cores: hosts give PostgreSQL
            // 10 s; tests of a database that hangs ask for the deployed default (WithDeployedDatabaseTimeouts).
            builder.UseSetting("DATABASE_COMMAND_TIMEOUT_SECONDS", "10");
            foreach (var (name, value) in settings ?? new Dictionary<string, string>())
                builder.UseSetting(name, value);
            // Every host answers who its caller is (SignedInUserModule), whichever slices the app has.
            builder.ConfigureServices(s => s.AddSingleton<ICarterModule, SignedInUserModule>());
            if (services is not null) builder.ConfigureServices(services);
            builder.ConfigureLogging(logging =>
            {
                logging.SetMinimumLevel(LogLevel.Warning);
                if (logs is not null) logging.AddProvider(logs);
            });
        });

    /// <summary>The settings with the database timeouts as deployed (1 s), for a host whose test makes the database hang.</summary>
    public static Dictionary<string, string> WithDeployedDatabaseTimeouts(this Dictionary<string, string> settings)
    {
        settings["DATABASE_COMMAND_TIMEOUT_SECONDS"] = "1";
        return settings;
    }

    /// <summary>Starts the app expecting its settings to be refused, and returns the refusal (every bad setting, named).</summary>
    public static async Task<InvalidConfigurationException> StartFailsAsync(Dictionary<string, string> settings,
        Action<IServiceCollection>? services = null)
    {
        await using var database = await TestDatabase.CreateAsync();
        try
        {
            await using var host = await StartAsync(database.ConnectionString, settings, services: services);
        }
        catch (InvalidConfigurationException e)
        {
            return e;
        }
        throw new InvalidOperationException("The app started.");
    }
}
