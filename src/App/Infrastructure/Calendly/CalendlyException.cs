namespace App.Infrastructure.Calendly;

/// <summary>What went wrong with a Calendly call, in the terms callers act on.</summary>
public enum CalendlyFailure
{
    /// <summary>The access token was refused (401): refresh once, then the coach must reconnect.</summary>
    Unauthorized,
    /// <summary>The refresh token is dead (invalid_grant) or the connection is marked needs_reconnect.</summary>
    ReconnectRequired,
    /// <summary>The user has no Calendly connection at all.</summary>
    NotConnected,
    /// <summary>403: not allowed for this resource (a role, an event that is not the caller's).</summary>
    Forbidden,
    /// <summary>403 Insufficient scope: the coach's grant lacks a scope the call needs (kept in the details as requiredScopes).</summary>
    ScopeMissing,
    /// <summary>403: the Calendly account's plan lacks the feature ("Please upgrade to a paid Calendly account.").</summary>
    PlanRequired,
    NotFound,
    /// <summary>409 Already Exists.</summary>
    Conflict,
    /// <summary>400: Calendly rejected the parameters (its details are kept).</summary>
    Rejected,
    /// <summary>429 after our retries.</summary>
    RateLimited,
    /// <summary>5xx, timeouts, network errors, or the circuit is open: try again later.</summary>
    Unavailable,
    /// <summary>A 2xx whose body is not what Calendly documents (malformed JSON, a required field missing).</summary>
    InvalidResponse,
}

/// <summary>
/// A typed Calendly failure. It is an <see cref="ApiException"/>, so an /api route that lets it escape answers in
/// the envelope with the status and code below, never as a 500.
/// </summary>
public sealed class CalendlyException(CalendlyFailure failure, string message, int? upstreamStatus = null,
    object? details = null, Exception? inner = null, TimeSpan? retryAfter = null)
    : ApiException(StatusFor(failure), CodeFor(failure), message, details, inner)
{
    public CalendlyFailure Failure => failure;
    public int? UpstreamStatus => upstreamStatus;

    /// <summary>On a 429: how long Calendly asks to wait (its Retry-After, else X-RateLimit-Reset), when it says.</summary>
    public TimeSpan? RetryAfter => retryAfter;

    private static int StatusFor(CalendlyFailure failure) => failure switch
    {
        CalendlyFailure.NotFound => StatusCodes.Status404NotFound,
        CalendlyFailure.Conflict or CalendlyFailure.ReconnectRequired or CalendlyFailure.Unauthorized
            or CalendlyFailure.NotConnected => StatusCodes.Status409Conflict,
        CalendlyFailure.Forbidden or CalendlyFailure.ScopeMissing or CalendlyFailure.PlanRequired => StatusCodes.Status403Forbidden,
        CalendlyFailure.Rejected => StatusCodes.Status400BadRequest,
        CalendlyFailure.InvalidResponse => StatusCodes.Status502BadGateway,
        _ => StatusCodes.Status503ServiceUnavailable,
    };

    private static string CodeFor(CalendlyFailure failure) => failure switch
    {
        CalendlyFailure.NotFound => "not_found",
        CalendlyFailure.Conflict => "conflict",
        CalendlyFailure.Unauthorized or CalendlyFailure.ReconnectRequired => "calendly_reconnect_required",
        CalendlyFailure.NotConnected => "calendly_not_connected",
        CalendlyFailure.Forbidden or CalendlyFailure.PlanRequired => "calendly_forbidden",
        CalendlyFailure.ScopeMissing => "calendly_scope_missing",
        CalendlyFailure.Rejected => "calendly_rejected",
        CalendlyFailure.RateLimited => "calendly_rate_limited",
        CalendlyFailure.InvalidResponse => "calendly_bad_response",
        _ => "calendly_unavailable",
    };
}
