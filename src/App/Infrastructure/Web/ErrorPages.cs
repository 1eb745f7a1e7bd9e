using Htmx;

namespace App.Infrastructure.Web;

public sealed record ErrorView(int StatusCode, string Title, string Message, string TraceId, string? ActionUrl = null, string? ActionLabel = null);

/// <summary>The HTML side of error mapping: a page for navigations, a toast and a line of text for htmx.</summary>
public static class ErrorPages
{
    /// <summary>An error page a handler returns itself, with a way forward (e.g. a realtor on a coaches-only page).</summary>
    public static IResult Page(HttpContext context, int statusCode, string title, string message, string? actionUrl = null,
        string? actionLabel = null)
    {
        var page = ErrorPage.Create(new ErrorView(statusCode, title, message, Envelope.TraceId(context), actionUrl, actionLabel));
        page.StatusCode = statusCode;
        return page;
    }

    public static async Task WriteAsync(HttpContext context, int statusCode, string message, string? code = null)
    {
        if (context.Request.IsHtmx())
        {
            context.Response.StatusCode = statusCode;
            context.Response.Toast(message, ToastLevel.Error);
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync(message, context.RequestAborted);
            return;
        }
        var title = statusCode switch
        {
            400 => "That request was not valid",
            401 => "Please sign in",
            403 => "Not allowed",
            404 => "Page not found",
            429 => "Too many attempts",
            503 => "Temporarily unavailable",
            >= 500 => "Something went wrong",
            _ => $"Error {statusCode}",
        };
        // A page that needs the coach's Calendly connection, or a scope it lacks, offers to make it again.
        var (actionUrl, actionLabel) = code is "calendly_not_connected" or "calendly_reconnect_required" or "calendly_scope_missing"
            ? ("/api/calendly/oauth/connect", code == "calendly_not_connected" ? "Connect Calendly" : "Reconnect Calendly")
            : ((string?)null, (string?)null);
        if (actionUrl is not null)
            title = code == "calendly_scope_missing" ? "Calendly did not grant what this needs" : "Calendly is not connected";
        var page = ErrorPage.Create(new ErrorView(statusCode, title, message, Envelope.TraceId(context), actionUrl, actionLabel));
        page.StatusCode = statusCode;
        await ((IResult)page).ExecuteAsync(context);
    }
}
