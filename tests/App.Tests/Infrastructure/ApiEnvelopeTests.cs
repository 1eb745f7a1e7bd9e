using System.Net;
using System.Text.Json;
using App.Infrastructure.Api;
using App.Tests.Support;
using Carter;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace App.Tests.Infrastructure;

/// <summary>
/// Routes that exist only in the test assembly (Carter finds them there too), so that every error class can be
/// produced through the real pipeline: a handler that conflicts, one that throws, one whose upstream failed.
/// </summary>
public sealed class FaultsModule : ICarterModule
{
    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var faults = app.MapGroup("/api/test-faults").AllowAnonymous();
        faults.MapGet("/conflict", () => ApiResults.Conflict("That booking was already canceled."));
        faults.MapGet("/forbidden", () => ApiResults.Forbidden());
        faults.MapGet("/crash", string () => throw new InvalidOperationException("secret internals: connection=xyz"));
        faults.MapGet("/upstream", string () => throw new ApiException(502, "calendly_unavailable", "Calendly did not answer."));
        faults.MapGet("/number", (int count) => TypedResults.Ok(Envelope.Of(count)));
        app.MapGet("/test-faults/crash-page", string () => throw new InvalidOperationException("page crash")).AllowAnonymous();
    }
}

[ClassDataSource<AppFixture>(Shared = SharedType.PerTestSession)]
public sealed class ApiEnvelopeTests(AppFixture app)
{
    private static async Task<JsonElement> ErrorOf(HttpResponseMessage response, HttpStatusCode status, string code)
    {
        await Assert.That(response.StatusCode).IsEqualTo(status);
        await Assert.That(response.Content.Headers.ContentType!.MediaType).IsEqualTo("application/json");
        var body = await Browser.JsonAsync(response);
        await Assert.That(body.GetProperty("data").ValueKind).IsEqualTo(JsonValueKind.Null);
        var error = body.GetProperty("error");
        await Assert.That(error.GetProperty("code").GetString()).IsEqualTo(code);
        await Assert.That(error.GetProperty("message").GetString()).IsNotNull().And.IsNotEmpty();
        await Assert.That(error.GetProperty("traceId").GetString()).IsNotNull().And.IsNotEmpty();
        return error;
    }

    [Test]
    public async Task Validation_failures_name_each_field()
    {
        var response = await app.NewBrowser().PostJsonAsync("/api/dev/token", new { userId = "", email = "nope", role = "owner", timeZone = "Mars/Base" });
        var error = await ErrorOf(response, HttpStatusCode.BadRequest, "validation_failed");
        var details = error.GetProperty("details");
        await Assert.That(details.GetProperty("userId")[0].GetString()).IsEqualTo("is required.");
        await Assert.That(details.GetProperty("email")[0].GetString()).IsEqualTo("must be an email address.");
        await Assert.That(details.GetProperty("role")[0].GetString()).Contains("coach, realtor, admin");
        await Assert.That(details.GetProperty("timeZone")[0].GetString()).Contains("IANA");
    }

    [Test]
    public async Task Malformed_json_is_a_validation_failure_not_a_crash()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/dev/token")
        {
            Content = new StringContent("{\"userId\": ", System.Text.Encoding.UTF8, "application/json"),
        };
        await ErrorOf(await app.NewBrowser().SendAsync(request), HttpStatusCode.BadRequest, "validation_failed");
    }

    [Test]
    public async Task A_wrongly_typed_json_field_is_named()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/dev/token")
        {
            Content = new StringContent("{\"userId\": 42}", System.Text.Encoding.UTF8, "application/json"),
        };
        var error = await ErrorOf(await app.NewBrowser().SendAsync(request), HttpStatusCode.BadRequest, "validation_failed");
        await Assert.That(error.GetProperty("details").TryGetProperty("userId", out _)).IsTrue();
    }

    [Test]
    public async Task A_query_value_of_the_wrong_type_is_a_validation_failure()
    {
        var error = await ErrorOf(await app.NewBrowser().GetAsync("/api/test-faults/number?count=lots"), HttpStatusCode.BadRequest, "validation_failed");
        await Assert.That(error.GetProperty("details").GetProperty("count")[0].GetString()).IsEqualTo("is not a valid whole number.");
        var missing = await ErrorOf(await app.NewBrowser().GetAsync("/api/test-faults/number"), HttpStatusCode.BadRequest, "validation_failed");
        await Assert.That(missing.GetProperty("details").GetProperty("count")[0].GetString()).IsEqualTo("is required.");
    }

    [Test]
    public async Task A_body_that_is_not_json_is_unsupported()
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/dev/token") { Content = new StringContent("userId=x") };
        await ErrorOf(await app.NewBrowser().SendAsync(request), HttpStatusCode.UnsupportedMediaType, "unsupported_media_type");
    }

    [Test]
    public async Task Signed_out_callers_get_401()
    {
        await ErrorOf(await app.NewBrowser().GetAsync(SignedInUserModule.Path), HttpStatusCode.Unauthorized, "unauthenticated");
    }

    [Test]
    public async Task Forbidden_is_403()
    {
        await ErrorOf(await app.NewBrowser().GetAsync("/api/test-faults/forbidden"), HttpStatusCode.Forbidden, "forbidden");
    }

    [Test]
    public async Task Unknown_api_routes_are_404_in_the_envelope()
    {
        await ErrorOf(await app.NewBrowser().GetAsync("/api/no/such/route"), HttpStatusCode.NotFound, "not_found");
    }

    [Test]
    public async Task A_wrong_method_is_405()
    {
        var response = await app.NewBrowser().PostJsonAsync(SignedInUserModule.Path, new { });
        await ErrorOf(response, HttpStatusCode.MethodNotAllowed, "method_not_allowed");
    }

    [Test]
    public async Task Conflicts_are_409_with_the_handler_s_message()
    {
        var error = await ErrorOf(await app.NewBrowser().GetAsync("/api/test-faults/conflict"), HttpStatusCode.Conflict, "conflict");
        await Assert.That(error.GetProperty("message").GetString()).IsEqualTo("That booking was already canceled.");
    }

    [Test]
    public async Task Upstream_failures_keep_their_status_and_code()
    {
        await ErrorOf(await app.NewBrowser().GetAsync("/api/test-faults/upstream"), HttpStatusCode.BadGateway, "calendly_unavailable");
    }

    [Test]
    public async Task An_unexpected_exception_is_500_without_internals_and_its_trace_id_is_logged()
    {
        var response = await app.NewBrowser().GetAsync("/api/test-faults/crash");
        var error = await ErrorOf(response, HttpStatusCode.InternalServerError, "internal_error");
        var text = error.ToString();
        await Assert.That(text).DoesNotContain("secret internals");
        await Assert.That(text).DoesNotContain("InvalidOperationException");
        await Assert.That(text).DoesNotContain(" at ");

        var traceId = error.GetProperty("traceId").GetString()!;
        await Assert.That(app.Logs.Lines.Any(line => line.Contains(traceId) && line.Contains("secret internals"))).IsTrue();
    }

    [Test]
    public async Task Pages_fail_with_html_not_json()
    {
        var response = await app.NewBrowser().GetAsync("/test-faults/crash-page");
        await Assert.That(response.StatusCode).IsEqualTo(HttpStatusCode.InternalServerError);
        await Assert.That(response.Content.Headers.ContentType!.MediaType).IsEqualTo("text/html");
        var html = await response.Content.ReadAsStringAsync();
        await Assert.That(html).Contains("Something went wrong");
        await Assert.That(html).DoesNotContain("page crash");

        var missing = await app.NewBrowser().GetAsync("/no-such-page");
        await Assert.That(missing.StatusCode).IsEqualTo(HttpStatusCode.NotFound);
        await Assert.That(await missing.Content.ReadAsStringAsync()).Contains("Page not found");
    }
}
