using System.Reflection;

namespace App.Infrastructure.Web;

/// <summary>
/// The places on a page where other slices may put something; the page renders whatever is declared for its place
/// (<see cref="PagePartAttribute"/>) and knows none of it.
/// </summary>
public static class PagePlaces
{
    public const string Dashboard = "dashboard";
    public const string Availability = "availability";

    /// <summary>
    /// Inside each coach's card on the Coaches page, for a coach with session types: a part's href and title may name
    /// <c>{coachId}</c> and <c>{coachName}</c>.
    /// </summary>
    public const string CoachCard = "coach-card";
}

/// <summary>
/// A card a slice puts on another slice's page: <c>[assembly: PagePart(PagePlaces.Dashboard, "calendly-status",
/// "Calendly connection", "/calendly/status")]</c>. It loads itself from the href (htmx, on load) and, without
/// JavaScript, is a link there. Declared beside the slice's own code, so a removed slice takes its card along.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class PagePartAttribute(string place, string id, string title, string href) : Attribute
{
    public string Place { get; } = place;
    public string Id { get; } = id;
    public string Title { get; } = title;
    public string Href { get; } = href;

    /// <summary>When it loads itself (htmx's hx-trigger): at once, or "intersect once" for one of many down a list.</summary>
    public string Trigger { get; init; } = "load";

    /// <summary>Who sees it (a realtor's dashboard carries no Calendly connection card).</summary>
    public Audience ShownTo { get; init; } = Audience.Everyone;

    public bool IsShownTo(CurrentUser user) => ShownTo.Includes(user);
}

/// <summary>
/// An action beside each session type of a coach's card on the Coaches page, declared by the slice that answers it:
/// <c>[assembly: SessionTypeAction("Book", "/coaches/{coachId}/book?eventTypeUri={eventTypeUri}")]</c>. It opens in
/// the page's booking dialog (<see cref="PageTargets.BookingDialog"/>), and is a link without JavaScript.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class SessionTypeActionAttribute(string label, string href) : Attribute
{
    public string Label { get; } = label;
    public string Href { get; } = href;
}

/// <summary>
/// How a free time on a coach's week is booked, declared by the slice that books it:
/// <c>[assembly: FreeTimeBooking("/coaches/{coachId}/book-a-time?eventTypeUri={eventTypeUri}&amp;startTime={startTime}",
/// Order = 1, NeedsScope = CalendlyScopes.ScheduledEventsWrite)]</c>. Each free time links to the first declaration (by
/// <see cref="Order"/>) whose scope the coach granted, opening in the page's booking dialog; with none, times are not links.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class FreeTimeBookingAttribute(string href) : Attribute
{
    public string Href { get; } = href;
    public int Order { get; init; }

    /// <summary>The Calendly scope the coach's connection must grant for this way of booking; null when none is needed.</summary>
    public string? NeedsScope { get; init; }
}

/// <summary>Elements of one page that another slice's answers are put into.</summary>
public static class PageTargets
{
    /// <summary>The body of the booking dialog (<c>dialog#booking</c>) that pages offering bookings hold.</summary>
    public const string BookingDialog = "#booking-body";
}

public enum Audience { Everyone, CoachesAndAdmins, Admins }

public static class Audiences
{
    public static bool Includes(this Audience audience, CurrentUser user) => audience switch
    {
        Audience.Admins => user.IsAdmin,
        Audience.CoachesAndAdmins => !user.IsRealtor,
        _ => true,
    };
}

/// <summary>A link of the main navigation to a slice's page, declared by that slice: <c>[assembly: NavigationLink("/coaches", "Coaches", 20)]</c>.</summary>
[AttributeUsage(AttributeTargets.Assembly, AllowMultiple = true)]
public sealed class NavigationLinkAttribute(string href, string label, int order) : Attribute
{
    public string Href { get; } = href;
    public string Label { get; } = label;
    public int Order { get; } = order;
    public Audience ShownTo { get; init; } = Audience.Everyone;

    public bool IsShownTo(CurrentUser user) => ShownTo.Includes(user);
}

/// <summary>
/// The page people land on after signing in and return to from errors and the brand link, declared by the slice that
/// owns it: <c>[assembly: HomePage("/dashboard", "the dashboard")]</c>. Without one, the first navigation link is home.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
public sealed class HomePageAttribute(string href, string name) : Attribute
{
    public string Href { get; } = href;

    /// <summary>How a sentence names it: "Back to the dashboard".</summary>
    public string Name { get; } = name;
}

/// <summary>What slices declare for other slices' pages, read once from the app's assembly.</summary>
public static class PageContributions
{
    private static readonly Assembly App = typeof(PageContributions).Assembly;

    public static readonly IReadOnlyList<NavigationLinkAttribute> Navigation =
        [.. App.GetCustomAttributes<NavigationLinkAttribute>().OrderBy(l => l.Order)];

    private static readonly IReadOnlyList<PagePartAttribute> Parts = [.. App.GetCustomAttributes<PagePartAttribute>()];

    public static readonly HomePageAttribute Home = App.GetCustomAttribute<HomePageAttribute>()
        ?? Navigation.Select(l => new HomePageAttribute(l.Href, l.Label.ToLowerInvariant())).FirstOrDefault()
        ?? new HomePageAttribute("/dev/sign-in", "sign-in");

    public static IEnumerable<PagePartAttribute> PartsOf(string place) => Parts.Where(p => p.Place == place);

    /// <summary>The way a coach's free times are booked: the first declared one their granted scopes allow.</summary>
    public static FreeTimeBookingAttribute? FreeTimeBooking(Func<string, bool> grants) =>
        FreeTimeBookings.FirstOrDefault(b => b.NeedsScope is null || grants(b.NeedsScope));

    // Read once: a week page asks on every request.
    private static readonly IReadOnlyList<FreeTimeBookingAttribute> FreeTimeBookings =
        [.. App.GetCustomAttributes<FreeTimeBookingAttribute>().OrderBy(b => b.Order)];

    public static readonly IReadOnlyList<SessionTypeActionAttribute> SessionTypeActions =
        [.. App.GetCustomAttributes<SessionTypeActionAttribute>().OrderBy(a => a.Label, StringComparer.Ordinal)];

    /// <summary>A declared href or title with its <c>{name}</c>s filled in; in an href, values are URL-escaped.</summary>
    public static string Fill(string template, IReadOnlyDictionary<string, string> values, bool escape) =>
        values.Aggregate(template, (text, value) => text.Replace("{" + value.Key + "}",
            escape ? Uri.EscapeDataString(value.Value) : value.Value, StringComparison.Ordinal));
}
