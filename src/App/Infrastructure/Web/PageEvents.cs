using System.Globalization;

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
}

/// <summary>
/// Live updates: a page whose layout model names a stream (<see cref="LayoutModel.LiveEventsUrl"/>) hears, as
/// server-sent events, of changes made anywhere (Calendly's webhooks, other people, other instances). A part of the
/// page refreshes itself on one with <c>hx-trigger="@LiveEvents.On(PageEvents.SessionsChanged)"</c>; while the stream
/// is closed, site.js refreshes those parts every 30 seconds instead. The events name what changed, never whom.
/// </summary>
public static class LiveEvents
{
    public const string Path = "/live-updates";

    /// <summary>The most coaches one stream follows (a page of coaches is at most 100).</summary>
    public const int MaxCoaches = 100;

    /// <summary>
    /// The stream of the signed-in person's own sessions, and of these coaches' free times, for a page rendered now: its
    /// since (Unix milliseconds, wall clock, which every instance shares) makes the stream first tell of what changed
    /// between rendering the page and opening the stream, which no event would otherwise carry.
    /// </summary>
    public static string Url(params IEnumerable<long> coachIds) =>
        $"{Path}?since={TimeProvider.System.GetUtcNow().ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture)}"
        + string.Concat(coachIds.Distinct().Take(MaxCoaches).Select(id => "&coach=" + id.ToString(CultureInfo.InvariantCulture)));

    /// <summary>The hx-trigger of an element that refreshes itself when the page's stream carries <paramref name="eventName"/>.</summary>
    public static string On(string eventName) => "sse:" + eventName;

    /// <summary>One coach's free times changed (a booking, a cancellation, their availability).</summary>
    public static string FreeTimesChanged(long coachId) => $"{PageEvents.FreeTimesChanged}-{coachId.ToString(CultureInfo.InvariantCulture)}";
}

/// <summary>Pages other slices link or redirect to.</summary>
public static class PagePaths
{
    public const string Sessions = "/sessions";

    /// <summary>The coaches a realtor books with.</summary>
    public const string Coaches = "/coaches";

    /// <summary>The sessions page, with any query, and nothing else: a posted returnUrl that is anything else would make an open redirect.</summary>
    public static string SessionsOr(string? returnUrl) =>
        returnUrl is not null && (returnUrl == Sessions || returnUrl.StartsWith(Sessions + "?", StringComparison.Ordinal)) ? returnUrl : Sessions;

    /// <summary>Where a form posted from any page sends its author back: a path of this site, never another site (an open redirect).</summary>
    public static string? LocalOrNull(string? returnUrl) =>
        returnUrl is ['/'] or ['/', not '/' and not '\\', ..] ? returnUrl : null;
}
