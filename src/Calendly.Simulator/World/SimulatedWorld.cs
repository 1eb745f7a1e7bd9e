namespace Calendly.Simulator.World;

/// <summary>Calendly's state. Not thread-safe by itself: reach it only through <see cref="WorldStore"/>.</summary>
public sealed class SimulatedWorld
{
    public Dictionary<string, Organization> Organizations { get; } = [];
    public Dictionary<string, User> Users { get; } = [];
    public Dictionary<string, Membership> Memberships { get; } = [];
    public Dictionary<string, EventType> EventTypes { get; } = [];
    public Dictionary<string, AvailabilitySchedule> Schedules { get; } = [];
    public List<ExternalBusyTime> ExternalBusyTimes { get; } = [];
    public Dictionary<string, ScheduledEvent> Events { get; } = [];
    public Dictionary<string, Invitee> Invitees { get; } = [];
    public Dictionary<string, WebhookSubscription> WebhookSubscriptions { get; } = [];

    public User? UserBySlug(string slug) => Users.Values.FirstOrDefault(u => u.Slug == slug);

    /// <summary>Every user belongs to exactly one organization here (Calendly allows one current organization too).</summary>
    public Membership MembershipOf(string userUuid) => Memberships.Values.First(m => m.UserUuid == userUuid);

    public EventType? EventTypeBySlug(string ownerUuid, string slug) =>
        EventTypes.Values.FirstOrDefault(t => t.OwnerUuid == ownerUuid && t.Slug == slug);

    public AvailabilitySchedule? DefaultSchedule(string userUuid) =>
        Schedules.Values.FirstOrDefault(s => s.UserUuid == userUuid && s.IsDefault);

    public IEnumerable<Invitee> InviteesOf(string eventUuid) => Invitees.Values.Where(i => i.EventUuid == eventUuid);

    public int ActiveInviteeCount(string eventUuid) => InviteesOf(eventUuid).Count(i => i.Status == EventStatus.Active);

    public Invitee? InviteeByNoShow(string noShowUuid) => Invitees.Values.FirstOrDefault(i => i.NoShow?.Uuid == noShowUuid);

    public void Add(Organization organization) => Organizations.Add(organization.Uuid, organization);
    public void Add(User user) => Users.Add(user.Uuid, user);
    public void Add(Membership membership) => Memberships.Add(membership.Uuid, membership);
    public void Add(EventType eventType) => EventTypes.Add(eventType.Uuid, eventType);
    public void Add(AvailabilitySchedule schedule) => Schedules.Add(schedule.Uuid, schedule);
    public void Add(ScheduledEvent scheduledEvent) => Events.Add(scheduledEvent.Uuid, scheduledEvent);
    public void Add(Invitee invitee) => Invitees.Add(invitee.Uuid, invitee);
    public void Add(WebhookSubscription subscription) => WebhookSubscriptions.Add(subscription.Uuid, subscription);
}
