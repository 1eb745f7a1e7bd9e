namespace Calendly.Simulator.Infrastructure;

/// <summary>
/// The last line of defence: whatever goes wrong still answers in Calendly's shape — a malformed request as 400
/// Invalid Argument, anything else as Calendly's 500 — so clients under test never see an ASP.NET error page.
/// </summary>
public sealed class ErrorBoundary(RequestDelegate next, ILogger<ErrorBoundary> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        try
        {
            await next(context);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            await CalendlyErrors.InvalidArgument(null, e.Message).ExecuteAsync(context);
        }
        catch (Exception e) when (!context.Response.HasStarted && !context.RequestAborted.IsCancellationRequested)
        {
            logger.LogError(e, "Unhandled error on {Method} {Path}", context.Request.Method, context.Request.Path);
            context.Response.Clear();
            await CalendlyErrors.Internal().ExecuteAsync(context);
        }
    }
}
