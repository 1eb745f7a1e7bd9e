using System.Text.Json.Serialization;

namespace Calendly.Simulator.Infrastructure;

/// <summary>One entry of an error's details: which parameter (when one is to blame) and what is wrong with it.</summary>
public sealed record ErrorDetail(
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Parameter,
    string Message);

public sealed record ErrorBody(
    string Title,
    string Message,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ErrorDetail>? Details = null);

/// <summary>A token without the scope a route needs: Calendly names the scopes instead of giving details.</summary>
public sealed record InsufficientScopeBody(string Title, string Message, IReadOnlyList<string> RequiredScopes);

/// <summary>Calendly's error bodies, title and message word for word as the API sends them.</summary>
public static class CalendlyErrors
{
    public const string NoPermission = "You do not have permission to access this resource.";
    public const string NotInYourOrganization = "This user is not in your organization";

    public static IResult InvalidArgument(params IReadOnlyList<ErrorDetail> details) =>
        Json(400, new ErrorBody("Invalid Argument", "The supplied parameters are invalid.", details));

    public static IResult InvalidArgument(string? parameter, string message) => InvalidArgument(new ErrorDetail(parameter, message));

    public static IResult Unauthenticated(string message = "The access token is invalid") =>
        Json(401, new ErrorBody("Unauthenticated", message));

    public static IResult PermissionDenied(string message = NoPermission) => Json(403, new ErrorBody("Permission Denied", message));

    /// <summary>Lists every scope of which one would do (both, for routes that accept either of two).</summary>
    public static IResult InsufficientScope(IReadOnlyList<string> requiredScopes) =>
        CalendlyResults.Json(403, new InsufficientScopeBody("Insufficient scope",
            "This operation requires the scopes listed in the 'required_scopes' array.", requiredScopes));

    public static IResult NotFound() =>
        Json(404, new ErrorBody("Resource Not Found", "The server could not find the requested resource."));

    public static IResult AlreadyExists(string message) => Json(409, new ErrorBody("Already Exists", message));

    public static IResult Conflict(string message) => Json(409, new ErrorBody("Conflict", message));

    // The 429 body is undocumented; this wording follows the style of the other errors.
    public static IResult TooManyRequests() =>
        Json(429, new ErrorBody("Too Many Requests", "You have exceeded the rate limit. Please wait and try again."));

    public static readonly ErrorBody InternalServerError = new("Internal Server Error",
        "The server encountered an unexpected condition that prevented it from fulfilling the request.");

    public static IResult Internal() => Json(500, InternalServerError);

    public static IResult ServiceUnavailable() =>
        Json(503, new ErrorBody("Service Unavailable", "The server is temporarily unable to handle the request."));

    private static IResult Json(int status, ErrorBody body) => CalendlyResults.Json(status, body);
}
