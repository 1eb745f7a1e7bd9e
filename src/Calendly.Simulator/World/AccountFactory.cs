namespace Calendly.Simulator.World;

/// <summary>Adds organizations and fully set-up accounts (user, membership, event types, default schedule) to a world.</summary>
public static class AccountFactory
{
    private static readonly string[] Colors = ["#0069ff", "#8247f5", "#17e885", "#ff4f00", "#e55cff", "#ffa600"];

    public static Organization AddOrganization(SimulatedWorld world, IdSource ids, string key, string name, Plan plan, DateTimeOffset at)
    {
        var organization = new Organization(ids.For($"organization:{key}"), name, plan, at);
        world.Add(organization);
        return organization;
    }

    /// <summary>The account's event types offer a start time every <paramref name="startTimeIncrementMinutes"/> minutes.</summary>
    public static User AddAccount(SimulatedWorld world, IdSource ids, Organization organization, AccountSpec spec, DateTimeOffset at,
        int startTimeIncrementMinutes)
    {
        var user = new User(ids.For($"user:{spec.Slug}"), spec.Name, spec.Slug, spec.Email, spec.Timezone, organization.Uuid,
            spec.Plan, at);
        world.Add(user);
        world.Add(new Membership(ids.For($"membership:{spec.Slug}"), user.Uuid, organization.Uuid, spec.Role, at));
        world.Add(new AvailabilitySchedule(ids.For($"schedule:{spec.Slug}:working-hours"), user.Uuid, "Working Hours", true,
            spec.Timezone, spec.WorkingHours));
        foreach (var (type, position) in spec.EventTypes.Select((t, i) => (t, i)))
        {
            world.Add(new EventType(ids.For($"event-type:{spec.Slug}:{type.Slug}"), user.Uuid, type.Name, type.Slug, type.Minutes,
                type.Kind, type.Capacity, type.Active, Colors[position % Colors.Length], $"{type.Name} with {spec.Name}.",
                type.EventLocation, position, at)
            {
                BufferAfter = TimeSpan.FromMinutes(type.BufferAfterMinutes),
                StartTimeIncrementMinutes = startTimeIncrementMinutes,
                CustomQuestions = type.Questions,
            });
        }
        return user;
    }
}
