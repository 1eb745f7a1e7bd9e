using System.Net;
using App.Tests.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Playwright;
using TUnit.Core.Interfaces;

namespace App.E2ETests.Support;

/// <summary>
/// The real app on Kestrel on a free loopback port (a browser cannot reach an in-memory test server), the Calendly
/// simulator on another, a fresh database, and Debian's Chromium driven by Playwright.
/// </summary>
public sealed class BrowserFixture : IAsyncInitializer, IAsyncDisposable
{
    private WebApplicationFactory<Program> _factory = null!;
    private IPlaywright _playwright = null!;

    public TestDatabase Database { get; private set; } = null!;
    public SimulatorServer Simulator { get; private set; } = null!;
    public IBrowser Browser { get; private set; } = null!;
    public Uri BaseUrl { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync();
        // The simulator registers the app's OAuth callback before either starts, so the app's port is chosen first.
        var appPort = FreeLoopbackPort();
        Simulator = await SimulatorServer.StartAsync(appBaseUrl: $"http://127.0.0.1:{appPort}");
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
        {
            builder.UseSetting("DATABASE_URL", Database.ConnectionString);
            foreach (var (name, value) in Simulator.AppSettings()) builder.UseSetting(name, value);
            foreach (var (name, value) in Unthrottled.Settings) builder.UseSetting(name, value);
            builder.UseSetting("TOKEN_REFRESH_ENABLED", "false");
            builder.UseSetting("AVAILABILITY_SYNC_ENABLED", "false");
            builder.UseSetting("METRICS_PORT", "0");
            builder.ConfigureLogging(logging => logging.SetMinimumLevel(LogLevel.Warning));
        });
        _factory.UseKestrel(options => options.Listen(IPAddress.Loopback, appPort));
        _factory.StartServer();
        BaseUrl = new Uri(_factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());

        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium",
            Headless = true,
            // Without the background-networking flags Chromium keeps dialling Google, which this network refuses.
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-first-run", "--disable-quic"],
        });
    }

    /// <summary>A page in a fresh browser context (its own cookies); <paramref name="javaScript"/> false for a browser with scripts off.</summary>
    public async Task<IPage> NewPageAsync(bool javaScript = true)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = BaseUrl.ToString(), TimezoneId = "Europe/Paris", JavaScriptEnabled = javaScript,
        });
        return await context.NewPageAsync();
    }

    /// <summary>Saves a screenshot when E2E_SCREENSHOTS names a folder: a look at what a person sees.</summary>
    public static async Task ScreenshotAsync(IPage page, string name, bool fullPage = true)
    {
        if (Environment.GetEnvironmentVariable("E2E_SCREENSHOTS") is { Length: > 0 } folder)
        {
            Directory.CreateDirectory(folder);
            await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = fullPage });
        }
    }

    private static int FreeLoopbackPort()
    {
        using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        await Browser.DisposeAsync();
        _playwright.Dispose();
        await _factory.DisposeAsync();
        await Simulator.DisposeAsync();
        await Database.DisposeAsync();
    }
}
