using App.Infrastructure.Caching;
using App.Infrastructure.Database;
using App.Infrastructure.Security;
using ZiggyCreatures.Caching.Fusion;

var builder = WebApplication.CreateBuilder(args);

// Flat environment variables (DATABASE_URL, USE_REAL_CALENDLY, …) become typed settings: Infrastructure's here, a
// feature's where it is registered (AddFlatSettings); one start reports every bad one (SettingsCheck, after Build).
var settings = AppSettings.Load(builder.Configuration, builder.Environment);
builder.Services.AddSingleton(settings.Hosting).AddSingleton(settings.Database)
    .AddSingleton(settings.Calendly).AddSingleton(settings.Auth).AddSingleton(settings.Security)
    .AddSingleton(settings.Tokens);
builder.Services.AddSingleton(TimeProvider.System);

// PORT decides where Kestrel listens unless ASPNETCORE_URLS says otherwise; only a container needs every interface.
if (builder.Configuration["urls"] is null)
    builder.WebHost.UseUrls($"http://{(builder.Environment.IsProduction() ? "0.0.0.0" : "localhost")}:{settings.Hosting.Port}");

// PostgreSQL: one pooled data source; Dapper maps snake_case columns and timestamptz (DapperSetup).
// Statements run again and again (a webhook batch's upserts, sign-in look-ups) are prepared once a connection, unless
// DATABASE_URL says otherwise (Max Auto Prepare=0 behind a pooler that cannot keep prepared statements).
// Asked of the string as given: Npgsql's builder cannot tell an explicit 0 from its default.
var autoPrepareGiven = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = settings.Database.ConnectionString }
    .ContainsKey("Max Auto Prepare");
builder.Services.AddNpgsqlDataSource(settings.Database.ConnectionString, source =>
{
    if (!autoPrepareGiven) source.ConnectionStringBuilder.MaxAutoPrepare = 64;
});
DapperSetup.Configure();

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

// An in-process cache (FusionCache L1), with fail-safe for Calendly-backed reads; evictions reach every instance.
builder.Services.AddFusionCache().WithDefaultEntryOptions(o => o.Duration = TimeSpan.FromMinutes(5));
builder.Services.AddSingleton<ClusterCache>().AddHostedService<ClusterCacheListener>();

// Bearer tokens from an OIDC issuer, or the development sign-in when none is configured; anti-forgery for cookies.
builder.Services.AddAppAuthentication(settings.Auth);

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

app.UseAntiforgeryCookies();
app.UseExceptionHandler(new ExceptionHandlerOptions { ExceptionHandler = ApiErrors.HandleExceptionAsync });
app.UseStatusCodePages(ApiErrors.HandleStatusCodeAsync);
app.UseStaticFiles();
app.UseAuthentication();
app.UseUserProvisioning();
app.UseForgeryProtection();
app.UseAuthorization();
app.UseAntiforgery();

app.MapOpenApi().AllowAnonymous();
app.MapGroup("").DocumentingSignIn().MapCarter();
app.Logger.LogInformation("Calendly.Slices: Calendly in {Mode} mode (API {ApiBaseUrl}, auth {AuthBaseUrl}); sign-in: {SignIn}",
    settings.Calendly.Mode, settings.Calendly.ApiBaseUrl, settings.Calendly.AuthBaseUrl,
    settings.Auth.UsesDevSignIn ? "development (/dev/sign-in)" : settings.Auth.Authority);
app.Run();
