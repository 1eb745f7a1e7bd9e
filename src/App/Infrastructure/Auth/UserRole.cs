namespace App.Infrastructure.Auth;

/// <summary>Coaches connect Calendly; realtors book with them; admins see everything.</summary>
public static class UserRoles
{
    public const string Coach = "coach";
    public const string Realtor = "realtor";
    public const string Admin = "admin";

    public static readonly IReadOnlyList<string> All = [Coach, Realtor, Admin];

    public static bool IsKnown(string? role) => role is Coach or Realtor or Admin;
}
