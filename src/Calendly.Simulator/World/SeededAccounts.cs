namespace Calendly.Simulator.World;

/// <summary>The people of the seeded world (documented in README.md; tests rely on their slugs and emails).</summary>
public static class SeededAccounts
{
    public const string DefaultCoachSlug = "casey-rivera";
    public const string FreePlanSlug = "sam-taylor";

    public sealed record SeededOrganization(string Key, string Name, Plan Plan, IReadOnlyList<AccountSpec> Accounts);

    private static readonly TimeInterval Morning = new(new TimeOnly(9, 0), new TimeOnly(12, 0));
    private static readonly TimeInterval Afternoon = new(new TimeOnly(13, 0), new TimeOnly(17, 0));

    /// <summary>A required question, a choice and the usual notes question: every kind of answer the app must handle.
    /// Declared before Organizations, which reads it while statics initialize in order.</summary>
    public static readonly IReadOnlyList<CustomQuestion> DeepDiveQuestions =
    [
        new("What would you like to dive into?", QuestionType.String, 0, Required: true, []),
        new("Which market do you work in?", QuestionType.SingleSelect, 1, Required: false, ["Residential", "Commercial", "Both"]),
        new(CustomQuestion.PrepareNotes, QuestionType.Text, 2, Required: false, []),
    ];

    public static readonly IReadOnlyList<SeededOrganization> Organizations =
    [
        new("northwind", "Northwind Coaching", Plan.Teams,
        [
            new("Casey Rivera", DefaultCoachSlug, "casey.rivera@northwind.example", "America/New_York", Plan.Teams, MembershipRole.Owner,
            [
                new("Intro Call", "intro-call", 30, Location: "google_conference"),
                new("Deep Dive", "deep-dive", 60, BufferAfterMinutes: 15) { Questions = DeepDiveQuestions },
                new("Group Workshop", "group-workshop", 90, Capacity: 5, Location: "physical"),
                new("Legacy Session", "legacy-session", 45, Active: false),
            ], AccountSpec.Weekdays(Morning, Afternoon)),
            new("Morgan Lee", "morgan-lee", "morgan.lee@northwind.example", "Europe/Berlin", Plan.Teams, MembershipRole.User,
            [
                // "Phone call: I will call my invitee": the booking gives the invitee's number.
                new("Mentoring Session", "mentoring", 45, Location: "outbound_call"),
                new("Office Hours", "office-hours", 30, Capacity: 3),
            ], AccountSpec.Weekdays(new TimeInterval(new TimeOnly(8, 0), new TimeOnly(16, 0)))),
            new("Riley Chen", "riley-chen", "riley.chen@northwind.example", "America/Chicago", Plan.Teams, MembershipRole.Admin,
                [new("Check-in", "check-in", 15)], AccountSpec.Weekdays(new TimeInterval(new TimeOnly(10, 0), new TimeOnly(15, 0)))),
        ]),
        new("contoso", "Contoso Fitness", Plan.Standard,
        [
            new("Jordan Park", "jordan-park", "jordan.park@contoso.example", "Asia/Tokyo", Plan.Standard, MembershipRole.Owner,
            [
                new("Personal Training", "personal-training", 60, Location: "physical"),
                new("Bootcamp", "bootcamp", 45, Capacity: 10, Location: "physical"),
            ], AccountSpec.Weekdays(new TimeInterval(new TimeOnly(7, 0), new TimeOnly(11, 0)), new TimeInterval(new TimeOnly(17, 0), new TimeOnly(20, 0)))),
        ]),
        new("solo", "Solo Studio", Plan.Basic,
        [
            new("Sam Taylor", FreePlanSlug, "sam.taylor@solo.example", "Australia/Sydney", Plan.Basic, MembershipRole.Owner,
                [new("Free Consultation", "free-consultation", 20)], AccountSpec.Weekdays(AccountSpec.NineToFive)),
        ]),
    ];

    public static readonly string[] FirstNames =
        ["Alex", "Blake", "Charlie", "Dana", "Emery", "Finley", "Harper", "Jamie", "Kai", "Logan", "Quinn", "Rowan", "Sage", "Toni"];

    public static readonly string[] LastNames =
        ["Smith", "Garcia", "Nguyen", "Mueller", "Okafor", "Rossi", "Tanaka", "Kowalski", "Silva", "Dubois"];

    public static readonly string[] InviteeTimezones =
        ["America/New_York", "America/Los_Angeles", "Europe/London", "Europe/Berlin", "Asia/Tokyo", "Australia/Sydney"];
}
