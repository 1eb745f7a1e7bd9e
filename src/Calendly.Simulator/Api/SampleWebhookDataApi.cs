using System.Text.Json.Nodes;
using Calendly.Simulator.Infrastructure;
using Calendly.Simulator.OAuth;
using Calendly.Simulator.Resources;
using Calendly.Simulator.Webhooks;
using Calendly.Simulator.World;

namespace Calendly.Simulator.Api;

/// <summary>
/// GET /sample_webhook_data: the body a delivery of the event would have, unwrapped as Calendly answers it. The payload
/// comes from the code real deliveries use, about a made-up meeting of the scope's user (the caller for organization
/// and group scope) in a scratch world, so the real one never sees it. The simulator has samples of the events it fires
/// only; for the others (routing forms, meeting recaps, contacts) it answers 400 naming the event.
/// </summary>
public static class SampleWebhookDataApi
{
    private static readonly Dictionary<string, Func<SampleMeeting, JsonObject>> Samples = new()
    {
        [WebhookEvents.InviteeCreated] = m => m.InviteePayload(m.Tomorrow),
        [WebhookEvents.InviteeCanceled] = m => m.InviteePayload(m.Tomorrow, (invitee, scheduled) =>
        {
            var cancellation = new Cancellation(invitee.Name, "Something came up.", CancelerType.Invitee, m.Now);
            invitee.Cancel(cancellation);
            scheduled.Cancel(cancellation);
        }),
        [WebhookEvents.NoShowCreated] = m => m.InviteePayload(m.Yesterday, (invitee, _) =>
        {
            invitee.NoShow = new NoShow(IdSource.Random.For("no-show"), invitee.Uuid, m.Now);
            invitee.UpdatedAt = m.Now;
        }),
        [WebhookEvents.NoShowDeleted] = m => m.InviteePayload(m.Yesterday),
        [WebhookEvents.EventTypeCreated] = m => m.EventTypePayload(type => type),
        [WebhookEvents.EventTypeUpdated] = m => m.EventTypePayload(type => type with { UpdatedAt = m.Now }),
        [WebhookEvents.EventTypeDeleted] = m => m.EventTypePayload(type => type with { Active = false, DeletedAt = m.Now, UpdatedAt = m.Now }),
    };

    public static void Map(IEndpointRouteBuilder api)
    {
        api.MapGet("/sample_webhook_data", Sample).RequiresScope(Scopes.WebhooksRead);
    }

    private static IResult Sample(HttpRequest request, Caller caller, WorldStore world, ResourceUris uris, TimeProvider clock)
    {
        var query = new QueryReader(request);
        var eventName = query.Required("event");
        var organizationUuid = query.ResourceUuid("organization", "organizations", required: true);
        var scopeName = query.Required("scope") is null ? null : query.OneOf("scope", "organization", "user", "group");
        var scope = WebhookScopes.Parse(scopeName);
        var userUuid = query.ResourceUuid("user", "users", required: scope == WebhookScope.User);
        query.ResourceUuid("group", "groups", required: scope == WebhookScope.Group);
        if (eventName is not null)
        {
            if (WebhookEvents.ProblemWith(eventName, scopeName) is { } problem) query.Fail("event", problem);
            else if (!Samples.ContainsKey(eventName)) query.Fail("event", $"the simulator has no sample for {eventName}");
        }
        if (query.HasErrors) return query.Failure;

        return world.Locked(w =>
        {
            if (organizationUuid != caller.OrganizationUuid) return CalendlyErrors.PermissionDenied();
            var host = caller.User;
            if (scope == WebhookScope.User)
            {
                if (!w.Users.TryGetValue(userUuid!, out host)) return CalendlyErrors.NotFound();
                if (!caller.SharesOrganizationWith(host)) return CalendlyErrors.PermissionDenied(CalendlyErrors.NotInYourOrganization);
            }
            var now = clock.GetUtcNow();
            var payload = Samples[eventName!](new SampleMeeting(host, uris, now));
            return CalendlyResults.Json(StatusCodes.Status200OK, new WebhookEnvelope(eventName!, now, uris.User(caller.User.Uuid), payload));
        });
    }

    /// <summary>A 30-minute Zoom meeting type of the host and, for invitee events, one booking of it by a sample invitee.</summary>
    private sealed class SampleMeeting(User host, ResourceUris uris, DateTimeOffset now)
    {
        private readonly EventType _type = new(Uuid: IdSource.Random.For("event-type"), OwnerUuid: host.Uuid, Name: "Sample Meeting",
            Slug: "sample-meeting", DurationMinutes: 30, Kind: EventKind.Solo, Capacity: 1, Active: true, Color: "#0069ff",
            Description: "A sample meeting.", Location: new EventLocation("zoom_conference"), Position: 0, CreatedAt: now.AddDays(-7))
        {
            StartTimeIncrementMinutes = 30,
        };

        public DateTimeOffset Now => now;
        public DateTimeOffset Tomorrow => Hour.AddDays(1);
        public DateTimeOffset Yesterday => Hour.AddDays(-1);
        private DateTimeOffset Hour => new(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero);

        public JsonObject EventTypePayload(Func<EventType, EventType> change) => WebhookPublisher.EventTypePayload(change(_type), host, uris);

        /// <summary>The invitee booked the meeting now, or two days before it when it is already over.</summary>
        public JsonObject InviteePayload(DateTimeOffset start, Action<Invitee, ScheduledEvent>? change = null)
        {
            var scratch = new SimulatedWorld();
            scratch.Add(host);
            scratch.Add(_type);
            var bookedAt = start < now ? start.AddDays(-2) : now;
            var scheduled = EventFactory.AddEvent(scratch, IdSource.Random.For("event"), _type, start, bookedAt);
            var sample = new InviteeDetails("Sample Invitee", "sample.invitee@example.com", host.Timezone) { FirstName = "Sample", LastName = "Invitee" };
            var invitee = EventFactory.AddInvitee(scratch, IdSource.Random.For("invitee"), scheduled, sample, host.Timezone, bookedAt);
            change?.Invoke(invitee, scheduled);
            return InviteeResource.WebhookPayload(invitee, scratch, uris);
        }
    }
}
