using System.Net;
using System.Text;
using App.Infrastructure.Calendly;
using App.Infrastructure.Configuration;

namespace App.Tests.Infrastructure;

/// <summary>How the typed client reads what Calendly answers, with the network replaced by canned answers.</summary>
public sealed class CalendlyClientTests
{
    private sealed class Canned(HttpStatusCode status, string body) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(status) { Content = new StringContent(body, Encoding.UTF8, "application/json") });
    }

    private static CalendlyClient ClientAnswering(HttpStatusCode status, string body) =>
        new(new HttpClient(new Canned(status, body)), new CalendlyOptions(false, "id", "secret", "key",
            new Uri("https://api.calendly.test/"), new Uri("https://auth.calendly.test/")));

    [Test]
    public async Task A_missing_required_field_is_a_typed_error_naming_it()
    {
        var client = ClientAnswering(HttpStatusCode.OK, """{"resource":{"uri":"https://api.calendly.test/users/U1","slug":"x"}}""");
        var error = await Assert.That(() => (Task)client.GetCurrentUserAsync("token", CancellationToken.None)).Throws<CalendlyException>();
        await Assert.That(error!.Failure).IsEqualTo(CalendlyFailure.InvalidResponse);
        await Assert.That(error.Message).Contains("'name'");
    }

    [Test]
    public async Task A_null_where_Calendly_promises_a_value_is_a_typed_error()
    {
        var client = ClientAnswering(HttpStatusCode.OK, """
            {"resource":{"uri":"u","name":null,"slug":"s","email":"e","scheduling_url":"x","timezone":"UTC","avatar_url":null,
             "created_at":"2026-01-01T00:00:00.000000Z","updated_at":"2026-01-01T00:00:00.000000Z","current_organization":"o"}}
            """);
        var error = await Assert.That(() => (Task)client.GetCurrentUserAsync("token", CancellationToken.None)).Throws<CalendlyException>();
        await Assert.That(error!.Failure).IsEqualTo(CalendlyFailure.InvalidResponse);
        await Assert.That(error.Message).Contains("$.resource.name");
    }

    [Test]
    public async Task Calendly_s_error_bodies_become_typed_failures_with_their_details()
    {
        var client = ClientAnswering(HttpStatusCode.BadRequest, """
            {"title":"Invalid Argument","message":"The supplied parameters are invalid.","details":[{"parameter":"start_time","message":"must be in the future"}]}
            """);
        var error = await Assert.That(() => (Task)client.ListAvailableTimesAsync("t", "https://api.calendly.test/event_types/E",
            DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddDays(1), CancellationToken.None)).Throws<CalendlyException>();
        await Assert.That(error!.Failure).IsEqualTo(CalendlyFailure.Rejected);
        await Assert.That(error.Message).Contains("The supplied parameters are invalid.");
        await Assert.That(System.Text.Json.JsonSerializer.Serialize(error.Details)).Contains("start_time");
    }

    [Test]
    public async Task Calendly_s_insufficient_scope_is_calendly_scope_missing_naming_the_scopes()
    {
        var client = ClientAnswering(HttpStatusCode.Forbidden, """
            {"title":"Insufficient scope","message":"This operation requires the scopes listed in the 'required_scopes' array.","required_scopes":["scheduled_events:write"]}
            """);
        var error = await Assert.That(() => (Task)client.CancelEventAsync("t", "E1", null, CancellationToken.None)).Throws<CalendlyException>();
        await Assert.That(error!.Failure).IsEqualTo(CalendlyFailure.ScopeMissing);
        await Assert.That(error.StatusCode).IsEqualTo(403);
        await Assert.That(error.Code).IsEqualTo("calendly_scope_missing");
        await Assert.That(System.Text.Json.JsonSerializer.Serialize(error.Details)).IsEqualTo("""{"requiredScopes":["scheduled_events:write"]}""");
        await Assert.That(error.Message).Contains("did not grant this app the scope this needs: scheduled_events:write");
        await Assert.That(error.Message).Contains("reconnect Calendly");
    }

    [Test]
    [Arguments("Please upgrade to a paid Calendly account.", CalendlyFailure.PlanRequired)]
    [Arguments("Please upgrade your Calendly account to Standard", CalendlyFailure.PlanRequired)]
    [Arguments("You do not have permission to access this resource.", CalendlyFailure.Forbidden)]
    public async Task Only_Calendly_s_plan_refusal_is_read_as_the_plan(string message, CalendlyFailure failure)
    {
        var client = ClientAnswering(HttpStatusCode.Forbidden, $$"""{"title":"Permission Denied","message":"{{message}}"}""");
        var error = await Assert.That(() => (Task)client.CreateWebhookSubscriptionAsync("t",
            new WebhookSubscriptionRequest("https://app.test/hook", ["invitee.created"], "o", "user", "u", null), CancellationToken.None))
            .Throws<CalendlyException>();
        await Assert.That(error!.Failure).IsEqualTo(failure);
        await Assert.That(error.Code).IsEqualTo("calendly_forbidden");
    }

    [Test]
    public async Task An_oauth_invalid_grant_means_reconnecting()
    {
        var client = ClientAnswering(HttpStatusCode.BadRequest, """{"error":"invalid_grant","error_description":"The refresh token is invalid."}""");
        var error = await Assert.That(() => (Task)client.RefreshAsync("dead", CancellationToken.None)).Throws<CalendlyException>();
        await Assert.That(error!.Failure).IsEqualTo(CalendlyFailure.ReconnectRequired);
    }

    [Test]
    public async Task The_uuid_is_the_last_segment_of_a_resource_uri()
    {
        await Assert.That(CalendlyClient.UuidOf("https://api.calendly.com/scheduled_events/E1/invitees/I9")).IsEqualTo("I9");
        await Assert.That(CalendlyClient.UuidOf("http://localhost:5081/users/abc-def/")).IsEqualTo("abc-def");
    }
}
