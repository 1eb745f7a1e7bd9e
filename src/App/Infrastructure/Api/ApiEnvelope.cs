using System.Diagnostics;
using System.Text.Json.Serialization;

namespace App.Infrastructure.Api;

/// <summary>The seed's response shape on every /api route: exactly one of data and error is non-null.</summary>
public sealed record Envelope<T>(T? Data, ApiError? Error);

public sealed record ApiError(
    string Code,
    string Message,
    string TraceId,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? Details = null);

public static class Envelope
{
    public static Envelope<T> Of<T>(T data) => new(data, null);

    /// <summary>
    /// An /api route answers in the envelope, unless it is one a browser navigates to (OAuth connect and callback),
    /// which is marked with <see cref="BrowserRoute"/> and answers with redirects and HTML pages.
    /// </summary>
    public static bool IsApiRequest(HttpRequest request) =>
        request.Path.StartsWithSegments("/api")
        && request.HttpContext.GetEndpoint()?.Metadata.GetMetadata<BrowserRoute>() is null;

    public static RouteHandlerBuilder AsBrowserRoute(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new BrowserRoute()).ExcludeFromDescription();

    /// <summary>The W3C trace id when a trace is active (it is what the logs carry), else ASP.NET's request id.</summary>
    public static string TraceId(HttpContext context) =>
        Activity.Current?.TraceId.ToString() ?? context.TraceIdentifier;
}

/// <summary>Endpoint metadata: a browser navigates here, so errors are pages and sign-in is a redirect.</summary>
public sealed class BrowserRoute;

/// <summary>An error outcome a handler returns; written as the envelope with its status code.</summary>
public sealed class ApiErrorResult(int statusCode, string code, string message, object? details = null)
    : IResult, IStatusCodeHttpResult
{
    public int StatusCode => statusCode;
    int? IStatusCodeHttpResult.StatusCode => statusCode;
    public string Code => code;

    public Task ExecuteAsync(HttpContext httpContext) =>
        ApiErrors.WriteAsync(httpContext, statusCode, code, message, details);
}

/// <summary>Thrown where a handler cannot return (deep in a call, in model binding); mapped by <see cref="ApiErrors"/>.</summary>
public class ApiException(int statusCode, string code, string message, object? details = null, Exception? inner = null)
    : Exception(message, inner)
{
    public int StatusCode => statusCode;
    public string Code => code;
    public object? Details => details;
}

/// <summary>The error outcomes every slice shares, named after the envelope's codes.</summary>
public static class ApiResults
{
    public static ApiErrorResult Validation(IDictionary<string, string[]> details, string message = "The request is invalid.") =>
        new(StatusCodes.Status400BadRequest, "validation_failed", message, details);

    public static ApiErrorResult NotFound(string message = "Not found.") =>
        new(StatusCodes.Status404NotFound, "not_found", message);

    public static ApiErrorResult Forbidden(string message = "You may not do that.") =>
        new(StatusCodes.Status403Forbidden, "forbidden", message);

    public static ApiErrorResult Conflict(string message) =>
        new(StatusCodes.Status409Conflict, "conflict", message);
}
