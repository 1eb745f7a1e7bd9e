using App.Infrastructure.Api;
using App.Infrastructure.Auth;
using Carter;
using Microsoft.AspNetCore.Http.HttpResults;

namespace App.Features.Account;

/// <summary>Who the caller is, as this app knows them: lets other apps check a token and find their user id.</summary>
public sealed class AccountModule : ICarterModule
{
    public sealed record Me(long Id, string ExternalId, string? Email, string Role, string TimeZone);

    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapGet("/api/me", GetMe)
            .RequireAuthorization()
            .WithTags("Account")
            .WithSummary("The signed-in user (created on the first authenticated request).");

    public static Ok<Envelope<Me>> GetMe(CurrentUser user) =>
        TypedResults.Ok(Envelope.Of(new Me(user.Id, user.ExternalId, user.Email, user.Role, user.TimeZone)));
}
