using System.Text.Json;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace App.Infrastructure.Api;

/// <summary>
/// The one place that turns failures into responses: the envelope for /api, an HTML page for everything else.
/// Handlers return <see cref="ApiErrorResult"/>s; what they cannot return (binding failures, exceptions,
/// authentication challenges, unknown routes) arrives here through the exception handler and status code pages.
/// </summary>
public static class ApiErrors
{
    public static async Task WriteAsync(HttpContext context, int statusCode, string code, string message, object? details = null)
    {
        var traceId = Envelope.TraceId(context);
        var logger = context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiErrors));
        // The request line (RequestLog) already says 4xx at Information; the code is detail.
        logger.Log(statusCode >= 500 ? LogLevel.Warning : LogLevel.Debug,
            "{Method} {Path} answered {StatusCode} {Code} (trace {TraceId})",
            context.Request.Method, context.Request.Path, statusCode, code, traceId);

        context.Response.StatusCode = statusCode;
        var json = context.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        await context.Response.WriteAsJsonAsync(
            new Envelope<object>(null, new ApiError(code, message, traceId, details)), json, context.RequestAborted);
    }

    /// <summary>The exception handler: maps what escaped a handler, never showing a stack trace.</summary>
    public static async Task HandleExceptionAsync(HttpContext context)
    {
        var exception = context.Features.Get<IExceptionHandlerFeature>()?.Error;
        var (status, code, message, details) = Classify(exception);
        // A bug gets its stack trace in the log; an outage (503) is one warning line, written with the answer.
        if (status == StatusCodes.Status500InternalServerError)
        {
            context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(ApiErrors))
                .LogError(exception, "Unhandled exception on {Method} {Path} (trace {TraceId})",
                    context.Request.Method, context.Request.Path, Envelope.TraceId(context));
        }

        if (Envelope.IsApiRequest(context.Request))
            await WriteAsync(context, status, code, message, details);
        else
            await ErrorPages.WriteAsync(context, status, message, code);
    }

    /// <summary>Status code pages: a bodiless 4xx/5xx (unknown route, auth challenge, 405) gets a body.</summary>
    public static Task HandleStatusCodeAsync(StatusCodeContext statusContext)
    {
        var context = statusContext.HttpContext;
        var status = context.Response.StatusCode;
        var (code, message) = Describe(status);
        return Envelope.IsApiRequest(context.Request)
            ? WriteAsync(context, status, code, message)
            : ErrorPages.WriteAsync(context, status, message);
    }

    internal static (int Status, string Code, string Message, object? Details) Classify(Exception? exception) => exception switch
    {
        ApiException api => (api.StatusCode, api.Code, api.Message, api.Details),
        AntiforgeryValidationException => (400, "antiforgery_failed",
            "The anti-forgery token is missing or invalid. Reload the page and try again.", null),
        BadHttpRequestException { InnerException: AntiforgeryValidationException } => (400, "antiforgery_failed",
            "The anti-forgery token is missing or invalid. Reload the page and try again.", null),
        BadHttpRequestException { StatusCode: 413 } => (413, "payload_too_large", "The request body is too large.", null),
        BadHttpRequestException { InnerException: JsonException json } => (400, "validation_failed",
            "The request body is not valid JSON for this route.", JsonDetails(json)),
        BadHttpRequestException bad => (bad.StatusCode, bad.StatusCode == 400 ? "validation_failed" : Describe(bad.StatusCode).Code,
            bad.Message, BindingDetails(bad.Message)),
        _ when DatabaseUnavailable(exception) => (503, "database_unavailable",
            "The database cannot be reached right now; try again in a moment.", null),
        _ => (500, "internal_error", "Something went wrong on our side. Quote the trace id if you report it.", null),
    };

    /// <summary>
    /// PostgreSQL cannot be reached or has gone away (stopped, restarting, the connection dropped, the pool exhausted):
    /// a passing outage, not a bug. Errors PostgreSQL itself reports about a query stay 500s, except those that say
    /// the server is shutting down or not yet accepting connections.
    /// </summary>
    private static bool DatabaseUnavailable(Exception? exception) => exception switch
    {
        PostgresException postgres => postgres.SqlState.StartsWith("08", StringComparison.Ordinal) || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal),
        NpgsqlException => true,
        _ => exception?.InnerException is NpgsqlException inner && DatabaseUnavailable(inner),
    };

    internal static (string Code, string Message) Describe(int status) => status switch
    {
        400 => ("validation_failed", "The request is invalid."),
        401 => ("unauthenticated", "Sign in first: send a bearer token or the session cookie."),
        403 => ("forbidden", "You may not do that."),
        404 => ("not_found", "There is nothing at this address."),
        405 => ("method_not_allowed", "This address does not accept that method."),
        409 => ("conflict", "The request conflicts with the current state."),
        413 => ("payload_too_large", "The request body is too large."),
        415 => ("unsupported_media_type", "Send the body as application/json."),
        429 => ("rate_limited", "Too many requests; slow down."),
        502 => ("upstream_failed", "An upstream service failed."),
        503 => ("unavailable", "The service is unavailable; try again shortly."),
        _ when status >= 500 => ("internal_error", "Something went wrong on our side."),
        _ => ($"http_{status}", "The request failed."),
    };

    /// <summary>Names the route or query parameter that failed to bind ("count=abc"), like a validator would.</summary>
    private static Dictionary<string, string[]>? BindingDetails(string message)
    {
        var failed = System.Text.RegularExpressions.Regex.Match(message, "^Failed to bind parameter \"(?<type>[^ \"]+) (?<name>[^\"]+)\"");
        if (failed.Success)
            return new() { [failed.Groups["name"].Value] = [$"is not a valid {Friendly(failed.Groups["type"].Value)}."] };
        var missing = System.Text.RegularExpressions.Regex.Match(message, "^Required parameter \"(?:[^ \"]+ )?(?<name>[^\"]+)\" was not provided");
        return missing.Success ? new() { [missing.Groups["name"].Value] = ["is required."] } : null;
    }

    private static string Friendly(string type) => type.TrimEnd('?') switch
    {
        "int" or "long" or "Int32" or "Int64" or "Nullable<int>" or "Nullable<long>" => "whole number",
        "bool" or "Boolean" => "true or false",
        "DateTimeOffset" or "DateTime" or "Nullable<DateTimeOffset>" => "date and time (ISO 8601)",
        _ => "value",
    };

    private static Dictionary<string, string[]>? JsonDetails(JsonException json) =>
        json.Path is { Length: > 1 } path
            ? new() { [path.TrimStart('$', '.')] = ["has the wrong JSON type or format."] }
            : null;
}
