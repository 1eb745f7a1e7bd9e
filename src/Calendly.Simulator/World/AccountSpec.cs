namespace Calendly.Simulator.World;

public sealed record EventTypeSpec(string Name, string Slug, int Minutes, int Capacity = 1, bool Active = true,
    string Location = "zoom_conference", int BufferAfterMinutes = 0)
{
    public EventKind Kind => Capacity > 1 ? EventKind.Group : EventKind.Solo;

    /// <summary>The questions of the booking form; Calendly's one default question unless set.</summary>
    public IReadOnlyList<CustomQuestion> Questions { get; init; } = CustomQuestion.Defaults;

    /// <summary>The host's side of the location: an address for in-person meetings, none for conferences or the invitee's phone.</summary>
    public EventLocation EventLocation => new(Location, Location == "physical" ? "Main office, room 2" : null);
}

/// <summary>What a simulated account is made of: the user, its role, its event types and its default working hours.</summary>
public sealed record AccountSpec(
    string Name,
    string Slug,
    string Email,
    string Timezone,
    Plan Plan,
    MembershipRole Role,
    IReadOnlyList<EventTypeSpec> EventTypes,
    IReadOnlyList<AvailabilityRule> WorkingHours)
{
    public static readonly TimeInterval NineToFive = new(new TimeOnly(9, 0), new TimeOnly(17, 0));

    public static IReadOnlyList<AvailabilityRule> Weekdays(params TimeInterval[] intervals) =>
        [.. Enum.GetValues<DayOfWeek>().Select(day => AvailabilityRule.Weekly(day,
            day is DayOfWeek.Saturday or DayOfWeek.Sunday ? [] : intervals))];

    /// <summary>An account made by /_sim/users: Calendly's defaults (Mon–Fri 9–5) plus a one-on-one and a group event type.</summary>
    public static AccountSpec Generated(string handle, string timezone, Plan plan, MembershipRole role) => new(
        $"Simulated User {handle}", $"sim-{handle}", $"sim-{handle}@example.test", timezone, plan, role,
        [new("30 Minute Meeting", "30min", 30), new("Group Session", "group-session", 60, Capacity: 3, Location: "physical")],
        Weekdays(NineToFive));
}
