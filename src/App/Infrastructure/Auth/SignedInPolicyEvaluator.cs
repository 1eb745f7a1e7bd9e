using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;

namespace App.Infrastructure.Auth;

/// <summary>
/// ASP.NET's policy evaluator with a shortcut for the policy most routes have, "signed in" (RequireAuthorization() with
/// no policy, roles or schemes of its own): a signed-in caller passes without the authorization service, which builds a
/// handler context and runs every handler to check one flag. Every other case, refusals included, goes to ASP.NET's
/// evaluator, so the answers are the same; the shortcut only saves the work (a profile of the cached free-times route).
/// </summary>
public sealed class SignedInPolicyEvaluator(IAuthorizationService authorization) : IPolicyEvaluator
{
    private static readonly Task<PolicyAuthorizationResult> Passed = Task.FromResult(PolicyAuthorizationResult.Success());

    private readonly PolicyEvaluator _aspNet = new(authorization);

    public Task<AuthenticateResult> AuthenticateAsync(AuthorizationPolicy policy, HttpContext context) =>
        _aspNet.AuthenticateAsync(policy, context);

    public Task<PolicyAuthorizationResult> AuthorizeAsync(AuthorizationPolicy policy, AuthenticateResult authenticationResult,
        HttpContext context, object? resource) =>
        policy is { AuthenticationSchemes.Count: 0, Requirements: [DenyAnonymousAuthorizationRequirement] } && IsSignedIn(context.User)
            ? Passed
            : _aspNet.AuthorizeAsync(policy, authenticationResult, context, resource);

    // What DenyAnonymousAuthorizationRequirement checks.
    private static bool IsSignedIn(System.Security.Claims.ClaimsPrincipal user)
    {
        foreach (var identity in user.Identities)
            if (identity.IsAuthenticated) return true;
        return false;
    }
}
