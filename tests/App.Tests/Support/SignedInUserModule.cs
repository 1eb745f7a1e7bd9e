using App.Infrastructure.Api;
using App.Infrastructure.Auth;
using Carter;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace App.Tests.Support;

/// <summary>
/// Who the caller is signed in as (the <see cref="CurrentUser"/> the pipeline provisioned), on a route of the test
/// assembly's own (Carter finds it there): tests learn their user's id, or whether they are signed in at all, without
/// leaning on the slice that shows people their account, so that any slice can be deleted with its tests.
/// </summary>
public sealed class SignedInUserModule : ICarterModule
{
    public const string Path = "/api/test/signed-in-user";

    public void AddRoutes(IEndpointRouteBuilder app) =>
        app.MapGet(Path, (CurrentUser user) => TypedResults.Ok(Envelope.Of(user))).RequireAuthorization().ExcludeFromDescription();

    /// <summary>The users row id of the browser's user (created by this first request if need be).</summary>
    public static async Task<long> UserIdAsync(Browser browser) =>
        (await Browser.JsonAsync(await browser.GetAsync(Path))).GetProperty("data").GetProperty("id").GetInt64();
}
