namespace App.Infrastructure.Web;

/// <summary>
/// htmx events (HX-Trigger) that one slice raises and another slice's part of the page listens for, and the pages that
/// several slices send people back to.
/// </summary>
public static class PageEvents
{
    /// <summary>A session was booked, canceled or marked: session rows and lists reload themselves.</summary>
    public const string SessionsChanged = "sessions-changed";

    /// <summary>A booking took a free time: week grids fetch themselves again.</summary>
    public const string FreeTimesChanged = "free-times-changed";

    /// <summary>The coach's Calendly connection changed: the connection card reloads itself.</summary>
    public const string CalendlyConnectionChanged = "calendly-connection-changed";

    /// <summary>
    /// Raised by site.js on an element with <c>data-poll-seconds</c> that often, while the page is visible: htmx's own
    /// <c>every 30s [filter]</c> would need eval, which the pages' CSP forbids.
    /// </summary>
    public const string VisiblePoll = "visible-poll";
}

/// <summary>Pages other slices link or redirect to.</summary>
public static class PagePaths
{
    public const string Dashboard = "/dashboard";
    public const string Sessions = "/sessions";

    /// <summary>The sessions page, with any query, and nothing else: a posted returnUrl that is anything else would make an open redirect.</summary>
    public static string SessionsOr(string? returnUrl) =>
        returnUrl is not null && (returnUrl == Sessions || returnUrl.StartsWith(Sessions + "?", StringComparison.Ordinal)) ? returnUrl : Sessions;
}
