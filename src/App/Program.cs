using App.Infrastructure.Caching;
using App.Infrastructure.Database;
using App.Infrastructure.Security;
using App.Infrastructure.Web;
using App.Infrastructure.Telemetry;
using ZiggyCreatures.Caching.Fusion;

var builder = WebApplication.CreateBuilder(args);

// Flat environment variables (DATABASE_URL, USE_REAL_CALENDLY, …) become typed settings: Infrastructure's here, a
// feature's where it is registered (AddFlatSettings); one start reports every bad one (SettingsCheck, after Build).
var settings = AppSettings.Load(builder.Configuration, builder.Environment);
builder.Services.AddSingleton(settings.Hosting).AddSingleton(settings.Database)
    .AddSingleton(settings.Calendly).AddSingleton(settings.Auth).AddSingleton(settings.Security)
    .AddSingleton(settings.Tokens);
builder.Services.AddSingleton(TimeProvider.System);

// Logs: one line per request (RequestLog) instead of ASP.NET Core's two, which carry the raw query string (an OAuth
// callback's authorization code) at any level; JSON lines in Production, for the platform's log search.
builder.Logging.AddFilter("Microsoft.AspNetCore.Hosting.Diagnostics", LogLevel.None);
if (builder.Environment.IsProduction())
    builder.Logging.AddJsonConsole(o => { o.IncludeScopes = true; o.UseUtcTimestamp = true; });

// PORT decides where Kestrel listens unless ASPNETCORE_URLS says otherwise; only a container needs every interface.
if (builder.Configuration["urls"] is null)
    builder.WebHost.UseUrls($"http://{(builder.Environment.IsProduction() ? "0.0.0.0" : "localhost")}:{settings.Hosting.Port}");

// PostgreSQL: one pooled data source; Dapper maps snake_case columns and timestamptz (DapperSetup).
builder.Services.AddNpgsqlDataSource(settings.Database.PooledConnectionString, TelemetrySetup.TraceCommandsInTraces);
DapperSetup.Configure();

// OpenTelemetry: metrics for Prometheus on METRICS_PORT; traces and logs over OTLP when OTEL_EXPORTER_OTLP_ENDPOINT is set.
builder.AddTelemetry();

// Data Protection (tokens at rest, cookies, anti-forgery): key ring in PostgreSQL, wrapped by DATA_PROTECTION_KEK.
builder.Services.AddSharedDataProtection(settings.Security);

// One typed client for Calendly (or the simulator) with retries, deadlines and a circuit breaker per host.
builder.Services.AddCalendlyClient(settings.Resilience);

// What slices add to each row of the sessions list (Infrastructure's ISessionActions), one line each.
builder.Services.AddSingleton<ISessionActions, App.Features.Cancel.CancelModule.RowActions>();
builder.Services.AddSingleton<ISessionActions, App.Features.NoShows.NoShowsModule.RowActions>();

// Slices with background loops or settings of their own: one line each (the rest are Carter modules, found by scan).
builder.Services.AddTokenRefresh();
builder.Services.AddWebhooks();
builder.Services.AddWebhookSubscriptions();
builder.Services.AddFreeTimes();
builder.Services.AddLiveUpdates();
builder.Services.AddOperations();

// An in-process cache (FusionCache L1), with fail-safe for Calendly-backed reads; evictions reach every instance.
builder.Services.AddFusionCache().WithDefaultEntryOptions(o => o.Duration = TimeSpan.FromMinutes(5));
builder.Services.AddSingleton<ClusterCache>().AddNotificationHandler<ClusterCacheEvictions>();

// Bearer tokens from an OIDC issuer, or the development sign-in when none is configured; anti-forgery for cookies.
builder.Services.AddAppAuthentication(settings.Auth);

// Security headers on every answer (a CSP that runs only the app's own scripts), and rate limits on the doors an
// attacker knocks on (sign-in, OAuth, booking, forged webhooks).
builder.Services.AddAppSecurityHeaders(settings.Calendly, builder.Environment);
builder.Services.AddAppRateLimits();

// Endpoints are Carter modules in Features/ (and Infrastructure/ for sign-in); validators are found by the same scan.
builder.Services.AddCarter();
// OpenAPI for the JSON routes: bearer sign-in and the shared error answers (ApiDocumentation).
builder.Services.AddApiDocumentation();
builder.Services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
// Binding failures throw, so that the one error mapping answers them in the envelope.
builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

var app = builder.Build();
SettingsCheck.ThrowIfInvalid(app.Services, settings.Problems);

// Schema first: `dotnet App.dll migrate` only migrates (a deploy's release step); a normal start migrates, then serves.
await DatabaseMigrator.MigrateAsync(settings.Database.ConnectionString, app.Logger);
if (args.Contains("migrate")) return;
if (app.Services.GetService<DevTokens>() is { } devTokens)
    await devTokens.LoadAsync(app.Services.GetRequiredService<NpgsqlDataSource>(), CancellationToken.None);

app.UseRequestLog();
app.UseSecurityHeaders();
app.UseAntiforgeryCookies();
// The handler logs what needs logging (a bug, with its stack trace); an expected outcome thrown (a 404, a validation
// failure) is not the framework's "unhandled exception".
app.UseExceptionHandler(new ExceptionHandlerOptions
{
    ExceptionHandler = ApiErrors.HandleExceptionAsync,
    SuppressDiagnosticsCallback = _ => true,
});
app.UseStatusCodePages(ApiErrors.HandleStatusCodeAsync);
app.UseStaticFiles();
app.UseAuthentication();
app.UseUserProvisioning();
app.UseForgeryProtection();
app.UseAuthorization();
app.UseRateLimiter();
app.UseAntiforgery();

app.MapApiDocumentation();
app.MapGroup("").DocumentingSignIn().MapCarter();
app.Logger.LogInformation("Calendly.Slices: Calendly in {Mode} mode (API {ApiBaseUrl}, auth {AuthBaseUrl}); sign-in: {SignIn}",
    settings.Calendly.Mode, settings.Calendly.ApiBaseUrl, settings.Calendly.AuthBaseUrl,
    settings.Auth.UsesDevSignIn ? "development (/dev/sign-in)" : settings.Auth.Authority);
app.Run();
