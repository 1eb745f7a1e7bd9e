using Calendly.Simulator.Scheduling;

namespace Calendly.Simulator.World;

/// <summary>
/// Builds the seeded world: the organizations and accounts of <see cref="SeededAccounts"/>, plus meetings around today
/// (past and future, active and canceled). Ids depend on the seed only; dates are relative to the clock's now.
/// </summary>
public static class WorldSeeder
{
    private const int HistoryDays = 10;
    private const int MaxSeededInvitees = 3;

    public static SimulatedWorld Seed(int seed, DateTimeOffset now, int startTimeIncrementMinutes)
    {
        var world = new SimulatedWorld();
        var ids = IdSource.Seeded(seed);
        var joined = now.AddDays(-365);
        foreach (var seeded in SeededAccounts.Organizations)
        {
            var organization = AccountFactory.AddOrganization(world, ids, seeded.Key, seeded.Name, seeded.Plan, joined);
            foreach (var account in seeded.Accounts)
                AccountFactory.AddAccount(world, ids, organization, account, joined, startTimeIncrementMinutes);
        }
        AddDefaultCoachExtras(world, ids, world.UserBySlug(SeededAccounts.DefaultCoachSlug)!, now);
        world.ExternalBusyTimes.AddRange(ExternalBusy(world.UserBySlug("morgan-lee")!, now, (2, 10, 11)));

        var random = new Random(seed);
        foreach (var user in world.Users.Values.OrderBy(u => u.Slug, StringComparer.Ordinal))
            AddHistory(world, ids, random, user, now);
        return world;
    }

    /// <summary>The default coach shows every feature: date overrides, a second schedule, external busy times, a half-full group event.</summary>
    private static void AddDefaultCoachExtras(SimulatedWorld world, IdSource ids, User coach, DateTimeOffset now)
    {
        var zone = TimeZones.Find(coach.Timezone);
        var today = TimeZones.LocalDate(now, zone);
        var working = world.DefaultSchedule(coach.Uuid)!;
        world.Schedules[working.Uuid] = working with
        {
            Rules = [.. working.Rules,
                AvailabilityRule.Override(today.AddDays(3)),
                AvailabilityRule.Override(today.AddDays(5), new TimeInterval(new TimeOnly(10, 0), new TimeOnly(14, 0)))],
        };
        world.Add(new AvailabilitySchedule(ids.For("schedule:casey-rivera:weekend-clinic"), coach.Uuid, "Weekend Clinic", false,
            coach.Timezone, [AvailabilityRule.Weekly(DayOfWeek.Saturday, new TimeInterval(new TimeOnly(10, 0), new TimeOnly(13, 0)))]));
        world.ExternalBusyTimes.AddRange(ExternalBusy(coach, now, (1, 15, 16), (4, 16, 17)));

        var workshop = world.EventTypeBySlug(coach.Uuid, "group-workshop")!;
        var day = Enumerable.Range(1, 7).Select(today.AddDays)
            .First(d => d.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday) && d != today.AddDays(3) && d != today.AddDays(5));
        var start = TimeZones.ToInstant(day, new TimeOnly(13, 0), zone)!.Value;
        var scheduled = EventFactory.AddEvent(world, ids.For("event:casey-rivera:group-workshop"), workshop, start, now.AddDays(-2));
        EventFactory.AddInvitee(world, ids.For("invitee:casey-rivera:group-workshop:0"), scheduled,
            Person("Harper", "Okafor", workshop, 0) with { Guests = ["harper.okafor.assistant@example.com"] }, "America/New_York", now.AddDays(-2));
        EventFactory.AddInvitee(world, ids.For("invitee:casey-rivera:group-workshop:1"), scheduled, Person("Quinn", "Tanaka", workshop, 1),
            "Asia/Tokyo", now.AddDays(-1));
    }

    private static IEnumerable<ExternalBusyTime> ExternalBusy(User user, DateTimeOffset now, params (int Day, int FromHour, int ToHour)[] blocks)
    {
        var zone = TimeZones.Find(user.Timezone);
        var today = TimeZones.LocalDate(now, zone);
        foreach (var (day, from, to) in blocks)
        {
            var date = today.AddDays(day);
            yield return new ExternalBusyTime(user.Uuid, TimeZones.ToInstant(date, new TimeOnly(from, 0), zone)!.Value,
                TimeZones.ToInstant(date, new TimeOnly(to, 0), zone)!.Value);
        }
    }

    /// <summary>
    /// About every other working day from ten days ago to ten days ahead gets one meeting in the first opening of the day;
    /// every fourth of them is canceled.
    /// </summary>
    private static void AddHistory(SimulatedWorld world, IdSource ids, Random random, User host, DateTimeOffset now)
    {
        var zone = TimeZones.Find(host.Timezone);
        var schedule = world.DefaultSchedule(host.Uuid)!;
        var types = world.EventTypes.Values.Where(t => t.OwnerUuid == host.Uuid && t.Active).OrderBy(t => t.Position).ToList();
        var today = TimeZones.LocalDate(now, zone);
        var made = 0;
        for (var offset = -HistoryDays; offset <= HistoryDays; offset++)
        {
            // The same numbers are drawn for every day, so a day without a meeting never shifts the days after it.
            var (roll, slot, type) = (random.NextDouble(), random.Next(4), types[random.Next(types.Count)]);
            var people = Enumerable.Range(0, MaxSeededInvitees).Select(_ =>
                (First: random.Next(SeededAccounts.FirstNames.Length), Last: random.Next(SeededAccounts.LastNames.Length),
                 Zone: random.Next(SeededAccounts.InviteeTimezones.Length))).ToList();

            var date = today.AddDays(offset);
            var opening = Schedules.IntervalsOn(schedule, date).FirstOrDefault();
            if (roll > 0.6 || opening is null) continue;
            var from = opening.From.AddMinutes(slot * 30);
            if (from.AddMinutes(type.DurationMinutes) > opening.To || from < opening.From) continue;
            if (TimeZones.ToInstant(date, from, zone) is not { } start) continue;

            var key = $"{host.Slug}:{offset}";
            var booked = (start < now ? start : now).AddDays(-3);
            var count = type.Kind == EventKind.Group ? 1 + slot % MaxSeededInvitees : 1;
            var details = people.Take(count)
                .Select((p, n) => Person(SeededAccounts.FirstNames[p.First], SeededAccounts.LastNames[p.Last], type, made + n)).ToList();
            var scheduled = EventFactory.AddEvent(world, ids.For($"event:{key}"), type, start, booked, EventFactory.LocationFor(type, details[0]));
            var invitees = details.Select((person, n) => EventFactory.AddInvitee(world, ids.For($"invitee:{key}:{n}"), scheduled, person,
                SeededAccounts.InviteeTimezones[people[n].Zone], booked)).ToList();

            if (made++ % 4 != 3) continue;
            var byHost = made % 8 == 0;
            var cancellation = new Cancellation(byHost ? host.Name : invitees[0].Name, byHost ? "Coach unavailable" : "Something came up",
                byHost ? CancelerType.Host : CancelerType.Invitee, booked.AddDays(2));
            scheduled.Cancel(cancellation);
            invitees.ForEach(i => i.Cancel(cancellation));
        }
    }

    /// <summary>
    /// A made-up invitee who filled in the form as people do: first and last name, every required question and every
    /// other optional one, a phone number where the location asks for it, now and then a guest or a text reminder. What
    /// varies depends on <paramref name="n"/> only, so the seed's random draws (and so its meetings) stay as they were.
    /// </summary>
    private static InviteeDetails Person(string first, string last, EventType type, int n) =>
        new($"{first} {last}", $"{first}.{last}@example.com".ToLowerInvariant(), null)
        {
            FirstName = first,
            LastName = last,
            QuestionsAndAnswers = [.. type.CustomQuestions.Where(q => q.Enabled && (q.Required || n % 2 == 0))
                .Select(q => new QuestionAndAnswer(q.Name, SampleAnswer(q, n), q.Position))],
            LocationValue = type.Location.AsksInvitee ? Phone(n) : null,
            Guests = n % 3 == 1 ? [$"{first}.{last}.assistant@example.com".ToLowerInvariant()] : [],
            TextReminderNumber = n % 5 == 2 ? Phone(n) : null,
        };

    private static readonly string[] Topics = ["Pricing a listing", "Open house follow-ups", "Buyer consultations", "Negotiating offers"];

    private static string SampleAnswer(CustomQuestion question, int n) => question.Type switch
    {
        QuestionType.SingleSelect or QuestionType.MultiSelect when question.AnswerChoices.Count > 0 =>
            question.AnswerChoices[n % question.AnswerChoices.Count],
        QuestionType.PhoneNumber => Phone(n),
        QuestionType.Text => "Looking forward to it. I will bring my last three listings.",
        _ => Topics[n % Topics.Length],
    };

    private static string Phone(int n) => $"+1212555{n % 10000:0000}";
}
