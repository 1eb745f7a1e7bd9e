namespace Calendly.Simulator.World;

/// <summary>Calendly's plans; Trial is a new account trying the paid features (with its own booking limit, §4.10).</summary>
public enum Plan { Basic, Trial, Standard, Teams, Enterprise }

public enum MembershipRole { User, Admin, Owner }

public sealed record Organization(string Uuid, string Name, Plan Plan, DateTimeOffset CreatedAt);

public sealed record Membership(string Uuid, string UserUuid, string OrganizationUuid, MembershipRole Role, DateTimeOffset CreatedAt)
{
    public bool IsAdmin => Role is MembershipRole.Admin or MembershipRole.Owner;
}

public static class Plans
{
    /// <summary>"free" is what people call Calendly's Basic plan; both names are accepted.</summary>
    public static Plan? Parse(string? text) => text?.ToLowerInvariant() switch
    {
        "free" or "basic" => Plan.Basic,
        "trial" => Plan.Trial,
        "standard" or "professional" or "essentials" => Plan.Standard,
        "teams" => Plan.Teams,
        "enterprise" => Plan.Enterprise,
        _ => null,
    };

    public static bool IsPaid(this Plan plan) => plan != Plan.Basic;
}
