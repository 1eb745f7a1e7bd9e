using System.Security.Claims;
using App.Infrastructure.Auth;
using App.Infrastructure.Configuration;
using App.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace App.Tests.Infrastructure;

public sealed class ConfigurationTests
{
    private const string ValidDatabase = "Host=127.0.0.1;Port=5432;Username=app;Password=app;Database=app";

    private static AppSettings Load(Dictionary<string, string?> values, string environment = "Development")
    {
        var settings = AppSettings.Load(new ConfigurationBuilder().AddInMemoryCollection(values).Build(), new Environment(environment));
        return settings.Problems.Count == 0 ? settings : throw new InvalidConfigurationException(settings.Problems);
    }

    private static async Task<InvalidConfigurationException> LoadFails(Dictionary<string, string?> values, string environment = "Development")
    {
        try
        {
            Load(values, environment);
        }
        catch (InvalidConfigurationException e)
        {
            return e;
        }
        throw new InvalidOperationException("The configuration was accepted.");
    }

    [Test]
    public async Task A_missing_database_url_is_named()
    {
        var error = await LoadFails([]);
        await Assert.That(error.Message).Contains("DATABASE_URL is not set");
    }

    [Test]
    public async Task The_url_form_that_Fly_and_Supabase_hand_out_is_accepted()
    {
        var settings = Load(new() { ["DATABASE_URL"] = "postgres://app%40tenant:p%40ss:word@db.example.test:6543/calendly?sslmode=require" });
        var builder = new NpgsqlConnectionStringBuilder(settings.Database.ConnectionString);
        await Assert.That(builder.Host).IsEqualTo("db.example.test");
        await Assert.That(builder.Port).IsEqualTo(6543);
        await Assert.That(builder.Username).IsEqualTo("app@tenant");
        await Assert.That(builder.Password).IsEqualTo("p@ss:word");
        await Assert.That(builder.Database).IsEqualTo("calendly");
        await Assert.That(builder.SslMode).IsEqualTo(SslMode.Require);
    }

    [Test]
    public async Task A_postgresql_url_without_a_port_uses_5432()
    {
        var settings = Load(new() { ["DATABASE_URL"] = "postgresql://u:p@localhost/db" });
        await Assert.That(new NpgsqlConnectionStringBuilder(settings.Database.ConnectionString).Port).IsEqualTo(5432);
    }

    [Test]
    public async Task A_plain_Npgsql_connection_string_is_accepted()
    {
        var settings = Load(new() { ["DATABASE_URL"] = ValidDatabase });
        await Assert.That(new NpgsqlConnectionStringBuilder(settings.Database.ConnectionString).Database).IsEqualTo("app");
    }

    [Test]
    [Arguments("postgres://")]
    [Arguments("not a connection string")]
    [Arguments("postgres://u:p@host:5432/db?frobnicate=yes")]
    public async Task A_malformed_database_url_is_named(string value)
    {
        var error = await LoadFails(new() { ["DATABASE_URL"] = value });
        await Assert.That(error.Message).Contains("DATABASE_URL is malformed");
    }

    [Test]
    public async Task Live_mode_names_every_missing_Calendly_credential_at_once()
    {
        var error = await LoadFails(new() { ["DATABASE_URL"] = ValidDatabase, ["USE_REAL_CALENDLY"] = "true" });
        await Assert.That(error.Problems.Count).IsEqualTo(4);
        await Assert.That(error.Message).Contains("DATA_PROTECTION_KEK is required");
        await Assert.That(error.Message).Contains("CALENDLY_CLIENT_ID is required");
        await Assert.That(error.Message).Contains("CALENDLY_CLIENT_SECRET is required");
        await Assert.That(error.Message).Contains("CALENDLY_WEBHOOK_SIGNING_KEY is required");
    }

    [Test]
    public async Task Live_mode_talks_to_Calendly_and_simulated_mode_to_the_simulator()
    {
        var live = Load(new()
        {
            ["DATABASE_URL"] = ValidDatabase, ["USE_REAL_CALENDLY"] = "TRUE",
            ["CALENDLY_CLIENT_ID"] = "id", ["CALENDLY_CLIENT_SECRET"] = "secret", ["CALENDLY_WEBHOOK_SIGNING_KEY"] = "key",
            ["DATA_PROTECTION_KEK"] = Convert.ToBase64String(new byte[32]),
        });
        await Assert.That(live.Calendly.ApiBaseUrl.ToString()).IsEqualTo("https://api.calendly.com/");
        await Assert.That(live.Calendly.AuthBaseUrl.ToString()).IsEqualTo("https://auth.calendly.com/");
        await Assert.That(live.Calendly.Mode).IsEqualTo("live");

        var simulated = Load(new() { ["DATABASE_URL"] = ValidDatabase });
        await Assert.That(simulated.Calendly.Mode).IsEqualTo("simulated");
        await Assert.That(simulated.Calendly.ClientId).IsEqualTo(CalendlyOptions.DevClientId);
        await Assert.That(simulated.Calendly.ApiBaseUrl.ToString()).IsEqualTo(CalendlyOptions.DefaultSimulatorUrl + "/");
    }

    [Test]
    public async Task Malformed_values_are_named_with_what_was_given()
    {
        var error = await LoadFails(new()
        {
            ["DATABASE_URL"] = ValidDatabase, ["PORT"] = "eighty", ["USE_REAL_CALENDLY"] = "maybe",
            ["PUBLIC_BASE_URL"] = "example.com", ["CALENDLY_API_BASE_URL"] = "ftp://x",
        });
        await Assert.That(error.Message).Contains("PORT must be a TCP port between 1 and 65535, not 'eighty'");
        await Assert.That(error.Message).Contains("USE_REAL_CALENDLY must be true or false, not 'maybe'");
        await Assert.That(error.Message).Contains("PUBLIC_BASE_URL must be an absolute http(s) URL");
        await Assert.That(error.Message).Contains("CALENDLY_API_BASE_URL must be an absolute http(s) URL");
    }

    [Test]
    public async Task Secrets_never_appear_in_error_messages()
    {
        var error = await LoadFails(new()
        {
            ["DATABASE_URL"] = "postgres://u:hunter2-secret@host:5432/db?frobnicate=1",
            ["USE_REAL_CALENDLY"] = "true", ["CALENDLY_CLIENT_SECRET"] = "very-secret-value",
        });
        await Assert.That(error.Message).DoesNotContain("hunter2-secret");
        await Assert.That(error.Message).DoesNotContain("very-secret-value");
    }

    [Test]
    [Arguments("tooshort")]
    [Arguments("not base64 at all!")]
    public async Task A_key_encryption_key_must_be_32_bytes_of_base64(string value)
    {
        var error = await LoadFails(new() { ["DATABASE_URL"] = ValidDatabase, ["DATA_PROTECTION_KEK"] = value });
        await Assert.That(error.Message).Contains("DATA_PROTECTION_KEK must be 32 bytes encoded as base64");
        await Assert.That(error.Message).DoesNotContain(value);
    }

    [Test]
    public async Task Production_refuses_development_sign_in_unless_allowed()
    {
        var error = await LoadFails(new() { ["DATABASE_URL"] = ValidDatabase }, "Production");
        await Assert.That(error.Message).Contains("AUTH_AUTHORITY is not set");

        var allowed = Load(new()
        {
            ["DATABASE_URL"] = ValidDatabase, ["ALLOW_DEV_SIGN_IN"] = "true", ["DATA_PROTECTION_KEK"] = Convert.ToBase64String(new byte[32]),
        }, "Production");
        await Assert.That(allowed.Auth.UsesDevSignIn).IsTrue();
    }

    [Test]
    public async Task An_issuer_needs_https_and_a_sign_in_page()
    {
        var error = await LoadFails(new() { ["DATABASE_URL"] = ValidDatabase, ["AUTH_AUTHORITY"] = "http://issuer.example.test" });
        await Assert.That(error.Message).Contains("AUTH_AUTHORITY must be an https URL");
        await Assert.That(error.Message).Contains("AUTH_SIGN_IN_URL is required");
    }

    [Test]
    public async Task The_name_claim_is_a_setting_that_may_point_inside_a_JSON_claim()
    {
        await Assert.That(Load(new() { ["DATABASE_URL"] = ValidDatabase }).Auth.NameClaim).IsEqualTo("name");
        var auth = Load(new() { ["DATABASE_URL"] = ValidDatabase, ["AUTH_NAME_CLAIM"] = "metadata.full_name" }).Auth;
        var principal = new ClaimsPrincipal(new ClaimsIdentity(
            [new Claim("sub", "user_1"), new Claim("name", "Not This"), new Claim("metadata", """{"full_name":"Dana Cruz"}""")]));

        var identity = UserProvisioning.ReadIdentity(principal, auth).User!.Value;

        await Assert.That(identity.User.Name).IsEqualTo("Dana Cruz");
        await Assert.That(identity.ClaimedName).IsEqualTo("Dana Cruz");
    }

    [Test]
    public async Task Authorized_parties_default_to_the_public_origin()
    {
        var settings = Load(new()
        {
            ["DATABASE_URL"] = ValidDatabase, ["PUBLIC_BASE_URL"] = "https://coaching.example.test/app",
            ["AUTH_AUTHORITY"] = "https://clerk.example.test", ["AUTH_SIGN_IN_URL"] = "https://accounts.example.test/sign-in",
        });
        await Assert.That(settings.Auth.AuthorizedParties).IsEquivalentTo(["https://coaching.example.test"]);
    }

    [Test]
    public async Task The_app_does_not_start_with_a_bad_setting_and_says_which()
    {
        var error = await AppHost.StartFailsAsync(new() { ["USE_REAL_CALENDLY"] = "true" });
        await Assert.That(error.Message).Contains("CALENDLY_CLIENT_ID is required when USE_REAL_CALENDLY=true");
    }

    [Test]
    public async Task One_start_names_every_bad_setting_of_Infrastructure_and_of_each_feature()
    {
        // Two made-up features with settings of their own, so the test holds whichever real slices the app has.
        var error = await AppHost.StartFailsAsync(new()
        {
            ["CALENDLY_MAX_RETRIES"] = "many",
            ["TEST_FIRST_INTERVAL_SECONDS"] = "hourly",
            ["TEST_FIRST_CONCURRENCY"] = "0",
            ["TEST_SECOND_DAYS"] = "90",
        }, services => services.AddFlatSettings<FirstFeatureSettings>().AddFlatSettings<SecondFeatureSettings>());
        await Assert.That(error.Problems).IsEquivalentTo([
            "CALENDLY_MAX_RETRIES must be a number from 0 to 10, not 'many'.",
            "TEST_FIRST_INTERVAL_SECONDS must be a number from 1 to 86400, not 'hourly'.",
            "TEST_FIRST_CONCURRENCY must be a number from 1 to 256, not '0'.",
            "TEST_SECOND_DAYS must be a number from 1 to 31, not '90'.",
        ]);
    }

    private sealed class FirstFeatureSettings : IFlatSettings
    {
        public double IntervalSeconds { get; set; }
        public double Concurrency { get; set; }

        public void Read(SettingsReader settings)
        {
            IntervalSeconds = settings.Number("TEST_FIRST_INTERVAL_SECONDS", 60, 1, 86_400);
            Concurrency = settings.Number("TEST_FIRST_CONCURRENCY", 4, 1, 256);
        }
    }

    private sealed class SecondFeatureSettings : IFlatSettings
    {
        public double Days { get; set; }

        public void Read(SettingsReader settings) => Days = settings.Number("TEST_SECOND_DAYS", 7, 1, 31);
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "App";
        public string ContentRootPath { get; set; } = "/";
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
