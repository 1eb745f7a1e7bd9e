using System.Diagnostics;

namespace App.Infrastructure.Web;

/// <summary>
/// One line per request, written when it ends: method, route (the template, so ids and query strings, which may carry
/// an OAuth code, stay out of the log), status, duration and trace id. It stands in for ASP.NET Core's own
/// request-start and request-end lines, which are silenced with the rest of Microsoft.AspNetCore below Warning.
/// </summary>
public static partial class RequestLog
{
    public static IApplicationBuilder UseRequestLog(this IApplicationBuilder app)
    {
        var logger = app.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(RequestLog));
        return app.Use(async (context, next) =>
        {
            var started = Stopwatch.GetTimestamp();
            // Read now: the exception handler clears the endpoint before it answers.
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)";
            try
            {
                await next(context);
            }
            finally
            {
                Answered(logger, context.Request.Method, route, context.Response.StatusCode,
                    Stopwatch.GetElapsedTime(started).TotalMilliseconds, Envelope.TraceId(context));
            }
        });
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "{Method} {Route} answered {StatusCode} in {ElapsedMs:0} ms (trace {TraceId})")]
    private static partial void Answered(ILogger logger, string method, string route, int statusCode, double elapsedMs, string traceId);
}
