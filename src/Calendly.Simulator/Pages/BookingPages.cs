using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.Scheduling;
using Calendly.Simulator.World;
using Microsoft.Extensions.Primitives;
using static Calendly.Simulator.Pages.Html;

namespace Calendly.Simulator.Pages;

/// <summary>
/// The scheduling pages behind scheduling_url: a user's event types, an event type's free times, the name-and-email form
/// of one time, and the confirmation. Inside an iframe they post the same messages as Calendly's embed. Query parameters
/// (embed_domain, name, email, utm_*) are carried from page to page.
/// </summary>
public static class BookingPages
{
    private static readonly string[] UtmFields = ["utm_campaign", "utm_source", "utm_medium", "utm_content", "utm_term"];

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/book/{userSlug}", Profile);
        app.MapGet("/book/{userSlug}/{eventSlug}", EventTypePage);
        app.MapGet("/book/{userSlug}/{eventSlug}/{start}", SlotForm);
        app.MapPost("/book/{userSlug}/{eventSlug}/{start}", BookAsync);
    }

    private static IResult Profile(string userSlug, HttpRequest request, WorldStore world)
    {
        var (user, types) = world.Locked(w => w.UserBySlug(userSlug) is { } u
            ? (u, w.EventTypes.Values.Where(t => t.OwnerUuid == u.Uuid && t.Active).OrderBy(t => t.Position).ToList())
            : (null, []));
        if (user is null) return NotFoundPage();
        var links = string.Concat(types.Select(t =>
            $"""<li><a href="{E($"/book/{user.Slug}/{t.Slug}{request.QueryString}")}">{E(t.Name)}</a> <span class="muted">{t.DurationMinutes} min</span></li>"""));
        return Page(user.Name, $"""
            <h1>{E(user.Name)}</h1>
            <p>Welcome to my scheduling page. Please follow the instructions to add an event to my calendar.</p>
            <ul>{links}</ul>
            """, script: EmbedScript(("calendly.profile_page_viewed", new { })));
    }

    private static IResult EventTypePage(string userSlug, string eventSlug, HttpRequest request, WorldStore world, TimeProvider clock)
    {
        var now = clock.GetUtcNow();
        var found = world.Locked(w => Find(w, userSlug, eventSlug) is { } f
            ? (f.User, f.Type, Slots: FreeSlots.Find(w, f.Type, now, now.AddDays(SlotList.Days), now).Where(s => s.Free).ToList())
            : default);
        if (found.User is null) return NotFoundPage();
        var zone = SlotList.ChosenZone(request, found.User.Timezone);
        return Page(found.Type.Name, $"""
            <p class="muted">{E(found.User.Name)}</p>
            <h1>{E(found.Type.Name)}</h1>
            <p>{found.Type.DurationMinutes} min · {E(found.Type.Description)}</p>
            {SlotList.ZonePicker(request, zone)}
            {SlotList.Render(found.Slots, zone, $"/book/{found.User.Slug}/{found.Type.Slug}", request.QueryString.Value ?? "")}
            """, script: EmbedScript(("calendly.event_type_viewed", new { })));
    }

    private static IResult SlotForm(string userSlug, string eventSlug, string start, HttpRequest request, WorldStore world,
        TimeProvider clock)
    {
        if (!DateTimeOffset.TryParse(start, out var startTime)) return NotFoundPage();
        var found = world.Locked(w => Find(w, userSlug, eventSlug) is { } f
            ? (f.User, f.Type, Slot: FreeSlots.At(w, f.Type, startTime, clock.GetUtcNow()))
            : default);
        if (found.User is null) return NotFoundPage();
        if (found.Slot is not { Free: true })
            return Error(409, "Time unavailable", "That time is no longer available. Please choose another one.");
        var zone = SlotList.ChosenZone(request, found.User.Timezone);
        return Page(found.Type.Name, Form(found.User, found.Type, startTime, zone, request.Query.ToDictionary(q => q.Key, q => q.Value), request, null),
            script: EmbedScript(("calendly.date_and_time_selected", new { })));
    }

    private static async Task<IResult> BookAsync(string userSlug, string eventSlug, string start, HttpRequest request, WorldStore world,
        Bookings bookings, ResourceUris uris)
    {
        var form = await request.ReadFormAsync(request.HttpContext.RequestAborted);
        var found = world.Locked(w => Find(w, userSlug, eventSlug));
        if (found is null || !DateTimeOffset.TryParse(start, out var startTime)) return NotFoundPage();
        var (user, type) = found.Value;
        var zone = TimeZones.TryFind(form["timezone"]) is not null ? form["timezone"].ToString() : user.Timezone;
        var problems = new List<ErrorDetail>();
        var answers = BookingForm.CheckAnswers(type,
            [.. type.CustomQuestions.Select(q => new GivenAnswer(q.Name, string.Join('\n', form[AnswerField(q)].Where(v => !string.IsNullOrWhiteSpace(v)))))],
            problems);
        var location = BookingForm.CheckLocation(type, type.Location.Kind, form["location"], type.Location.AsksInvitee, problems);
        var invitee = new InviteeDetails(form["name"].ToString(), form["email"].ToString(), zone)
        {
            QuestionsAndAnswers = answers,
            LocationValue = location,
            Tracking = new Tracking(Blank(form["utm_campaign"]), Blank(form["utm_source"]), Blank(form["utm_medium"]),
                Blank(form["utm_content"]), Blank(form["utm_term"])),
        };
        var refusal = problems.Count > 0
            ? new Refusal(StatusCodes.Status400BadRequest, string.Join(" ", problems.Select(p => p.Message)))
            : null;
        var result = refusal is null ? bookings.Book(type.Uuid, startTime, invitee) : null;
        if ((refusal ?? result!.Refusal) is { } refused)
            return Page(type.Name, Form(user, type, startTime, zone, form.ToDictionary(f => f.Key, f => f.Value), request, refused.Message),
                refused.Status);
        return Scheduled(result!.Booked!, type.Name, user.Name, startTime, zone, uris);
    }

    /// <summary>The confirmation, shared with the reschedule pages: it posts calendly.event_scheduled with the new API URIs.</summary>
    public static IResult Scheduled(Booked booked, string eventName, string hostName, DateTimeOffset start, string zone, ResourceUris uris) =>
        Page("Scheduled", $"""
            <h1>You are scheduled</h1>
            <p>A calendar invitation has been sent to your email address.</p>
            <p><strong>{E(eventName)}</strong> with {E(hostName)}<br>{E(SlotList.LocalTime(start, zone))}</p>
            <p><a href="/cancellations/{E(booked.InviteeUuid)}">Cancel</a> · <a href="/reschedulings/{E(booked.InviteeUuid)}">Reschedule</a></p>
            """, script: EmbedScript(("calendly.event_scheduled", new
        {
            @event = new { uri = uris.ScheduledEvent(booked.EventUuid) },
            invitee = new { uri = uris.Invitee(booked.EventUuid, booked.InviteeUuid) },
        })));

    public static IResult NotFoundPage() => Error(404, "Page not found", "This Calendly URL is not valid.");

    /// <summary>
    /// Name, email, the event type's questions (required ones marked) and the location when it asks the invitee. Values
    /// come from the last post, or from the embed's prefill: name, email and a1…a10 (answers by question position).
    /// </summary>
    private static string Form(User user, EventType type, DateTimeOffset start, string zone, IReadOnlyDictionary<string, StringValues> values,
        HttpRequest request, string? error)
    {
        var utm = string.Concat(UtmFields.Where(f => request.Query.ContainsKey(f))
            .Select(f => $"""<input type="hidden" name="{f}" value="{E(request.Query[f])}">"""));
        var questions = string.Concat(type.CustomQuestions.Where(q => q.Enabled).OrderBy(q => q.Position).Select(q => Question(q, values)));
        var location = type.Location.AsksInvitee
            ? $"""<label for="location">{(type.Location.Kind == "outbound_call" ? "Phone number (we will call you)" : "Location")} *</label><input id="location" name="location" required value="{E(values.GetValueOrDefault("location"))}">"""
            : "";
        return $"""
            <p class="muted">{E(user.Name)}</p>
            <h1>{E(type.Name)}</h1>
            <p><strong>{E(SlotList.LocalTime(start, zone))}</strong> · {type.DurationMinutes} min</p>
            {(error is null ? "" : $"<p class=\"error\" role=\"alert\">{E(error)}</p>")}
            <form method="post" action="{E($"{request.Path}{request.QueryString}")}">
              <input type="hidden" name="timezone" value="{E(zone)}">{utm}
              <label for="name">Name *</label><input id="name" name="name" required value="{E(values.GetValueOrDefault("name"))}">
              <label for="email">Email *</label><input id="email" name="email" type="email" required value="{E(values.GetValueOrDefault("email"))}">
              {location}{questions}
              <p><button class="primary" type="submit">Schedule Event</button></p>
            </form>
            """;
    }

    private static string AnswerField(CustomQuestion question) => $"q{question.Position}";

    private static string Question(CustomQuestion question, IReadOnlyDictionary<string, StringValues> values)
    {
        var field = AnswerField(question);
        // The embed's prefill numbers answers a1, a2… in the order the questions are shown.
        var given = values.TryGetValue(field, out var posted) ? posted : values.GetValueOrDefault($"a{question.Position + 1}");
        var label = $"""<label for="{field}">{E(question.Name)}{(question.Required ? " *" : "")}</label>""";
        var required = question.Required ? " required" : "";
        return question.Type switch
        {
            QuestionType.SingleSelect => label + $"""<select id="{field}" name="{field}"{required}><option value=""></option>{string.Concat(question.AnswerChoices.Select(c =>
                $"""<option{(given.Contains(c) ? " selected" : "")}>{E(c)}</option>"""))}</select>""",
            QuestionType.MultiSelect => $"""<fieldset><legend>{E(question.Name)}{(question.Required ? " *" : "")}</legend>{string.Concat(question.AnswerChoices.Select((c, i) =>
                $"""<label><input type="checkbox" name="{field}" value="{E(c)}"{(given.Contains(c) ? " checked" : "")}> {E(c)}</label>"""))}</fieldset>""",
            QuestionType.Text => label + $"""<textarea id="{field}" name="{field}" rows="3"{required}>{E(given)}</textarea>""",
            QuestionType.PhoneNumber => label + $"""<input id="{field}" name="{field}" type="tel"{required} value="{E(given)}">""",
            _ => label + $"""<input id="{field}" name="{field}"{required} value="{E(given)}">""",
        };
    }

    private static (User User, EventType Type)? Find(SimulatedWorld world, string userSlug, string eventSlug) =>
        world.UserBySlug(userSlug) is { } user && world.EventTypeBySlug(user.Uuid, eventSlug) is { Active: true } type ? (user, type) : null;

    private static string? Blank(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
