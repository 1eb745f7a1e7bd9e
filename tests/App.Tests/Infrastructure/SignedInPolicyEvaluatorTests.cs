using System.Security.Claims;
using App.Infrastructure.Auth;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;

namespace App.Tests.Infrastructure;

/// <summary>
/// The "signed in" shortcut: a signed-in caller of a route that only needs that passes without the authorization service;
/// anything else (signed out, roles) is judged by ASP.NET's evaluator as before. The routes' own tests hold the answers.
/// </summary>
public sealed class SignedInPolicyEvaluatorTests
{
    private static readonly AuthorizationPolicy SignedIn = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();

    /// <summary>An authorization service that counts its calls and refuses everything.</summary>
    private sealed class CountingRefusal : IAuthorizationService
    {
        public int Calls { get; private set; }

        public Task<AuthorizationResult> AuthorizeAsync(ClaimsPrincipal user, object? resource, IEnumerable<IAuthorizationRequirement> requirements)
        {
            Calls++;
            return Task.FromResult(AuthorizationResult.Failed());
        }

        public Task<AuthorizationResult> AuthorizeAsync(ClaimsPrincipal user, object? resource, string policyName) =>
            AuthorizeAsync(user, resource, Array.Empty<IAuthorizationRequirement>());
    }

    private static HttpContext Caller(bool signedIn) => new DefaultHttpContext
    {
        User = new ClaimsPrincipal(signedIn ? new ClaimsIdentity([new Claim("sub", "u1")], "Bearer") : new ClaimsIdentity()),
    };

    [Test]
    public async Task A_signed_in_caller_of_a_signed_in_route_passes_without_the_authorization_service()
    {
        var service = new CountingRefusal();
        var context = Caller(signedIn: true);

        var result = await new SignedInPolicyEvaluator(service).AuthorizeAsync(SignedIn, AuthenticateResult.NoResult(), context, null);

        await Assert.That(result.Succeeded).IsTrue();
        await Assert.That(service.Calls).IsEqualTo(0);
    }

    [Test]
    public async Task A_signed_out_caller_and_a_policy_with_roles_go_to_the_authorization_service()
    {
        var service = new CountingRefusal();
        var evaluator = new SignedInPolicyEvaluator(service);
        var admins = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireRole("admin").Build();

        var signedOut = await evaluator.AuthorizeAsync(SignedIn, AuthenticateResult.NoResult(), Caller(signedIn: false), null);
        var notAdmin = await evaluator.AuthorizeAsync(admins, AuthenticateResult.NoResult(), Caller(signedIn: true), null);

        await Assert.That(signedOut.Challenged).IsTrue();
        await Assert.That(notAdmin.Succeeded).IsFalse();
        await Assert.That(service.Calls).IsEqualTo(2);
    }
}
