using App.Infrastructure.Api;
using Htmx;

namespace App.Infrastructure.Web;

public sealed record ErrorView(int StatusCode, string Title, string Message, string TraceId);

/// <summary>The HTML side of error mapping: a page for navigations, a toast and a line of text for htmx.</summary>
public static class ErrorPages
{
    public static async Task WriteAsync(HttpContext context, int statusCode, string message)
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
            >= 500 => "Something went wrong",
            _ => $"Error {statusCode}",
        };
        var page = ErrorPage.Create(new ErrorView(statusCode, title, message, Envelope.TraceId(context)));
        page.StatusCode = statusCode;
        await ((IResult)page).ExecuteAsync(context);
    }
}
