using System.ComponentModel;
using System.Security.Claims;
using System.Text.RegularExpressions;
using FluentValidation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Mvc;
using App.Infrastructure.Security;

namespace App.Infrastructure.Auth;

/// <summary>
/// The embedded sign-in used when no identity provider is configured (AUTH_AUTHORITY unset): anyone can be anyone,
/// which is what development, tests and demos need. None of these routes exist when an issuer is configured.
/// </summary>
public sealed partial class DevSignInModule : ICarterModule
{
    // Settable properties rather than a positional record: form binding requires every constructor parameter.
    public sealed record DevSignInRequest
    {
        public string? UserId { get; init; }
        public string? Email { get; init; }
        [Description("The user's name (1–100 characters once trimmed). Optional: without one, the name given at an earlier "
            + "sign-in stands, or else the email's local part is used. Blank counts as none.")]
        public string? Name { get; init => field = string.IsNullOrWhiteSpace(value) ? null : value.Trim(); }
        public string? Role { get; init; }
        /// <summary>Left blank (the form's field without a script to detect it), the stored zone or UTC applies.</summary>
        public string? TimeZone { get; init => field = string.IsNullOrWhiteSpace(value) ? null : value.Trim(); }
    }

    public sealed record DevToken(string Token, DateTimeOffset ExpiresAt);

    public sealed record DevSignInView(DevSignInRequest Form, string? ReturnUrl, IDictionary<string, string[]> Errors);

    public sealed class DevSignInValidator : AbstractValidator<DevSignInRequest>
    {
        public DevSignInValidator()
        {
            RuleFor(r => r.UserId).NotEmpty().WithMessage("is required.")
                .MaximumLength(128).WithMessage("must be at most 128 characters.")
                .Matches(UserIdPattern()).WithMessage("may contain letters, digits and . _ @ - only.");
            RuleFor(r => r.Email).NotEmpty().WithMessage("is required.")
                .MaximumLength(254).WithMessage("must be at most 254 characters.")
                .EmailAddress().WithMessage("must be an email address.");
            RuleFor(r => r.Name)
                .MaximumLength(UserProvisioning.MaxNameLength).WithMessage($"must be at most {UserProvisioning.MaxNameLength} characters.")
                .Must(name => name is null || !name.Any(char.IsControl)).WithMessage("must not contain control characters.");
            RuleFor(r => r.Role).NotEmpty().WithMessage("is required.")
                .Must(UserRoles.IsKnown).WithMessage($"must be one of {string.Join(", ", UserRoles.All)}.");
            RuleFor(r => r.TimeZone)
                .Must(tz => tz is null || TimeZoneInfo.TryFindSystemTimeZoneById(tz, out _))
                .WithMessage("must be an IANA time zone such as Europe/Paris.");
        }
    }

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        if (!app.ServiceProvider.GetRequiredService<AuthOptions>().UsesDevSignIn) return;

        var pages = app.MapGroup("/dev").AllowAnonymous().ExcludeFromDescription();
        pages.MapGet("/sign-in", ShowSignIn);
        pages.MapPost("/sign-in", SignIn).RateLimited(RateLimits.SignIn);
        pages.MapPost("/sign-out", (Delegate)SignOut);

        app.MapPost("/api/dev/token", IssueToken)
            .AllowAnonymous()
            .RateLimited(RateLimits.SignIn)
            .Validate<DevSignInRequest>()
            .WithTags("Development sign-in")
            .WithSummary("Issue a development bearer token (only without AUTH_AUTHORITY).")
            .WithDescription("Signs in as anyone: userId, email and role, optionally a name and an IANA timeZone. "
                + "The token carries them as an identity provider's would; the first request made with it creates or updates the user.");
    }

    public static IResult ShowSignIn(string? returnUrl) =>
        DevSignInPage.Create(new DevSignInView(new DevSignInRequest { Role = UserRoles.Coach }, returnUrl,
            new Dictionary<string, string[]>()));

    public static async Task<IResult> SignIn(
        [FromForm] DevSignInRequest form, [FromForm] string? returnUrl, HttpContext context, AuthOptions options)
    {
        if (await Validation.ProblemsAsync(context, form) is { } problems)
        {
            var page = DevSignInPage.Create(new DevSignInView(form, returnUrl, problems));
            page.StatusCode = StatusCodes.Status422UnprocessableEntity;
            return page;
        }
        var principal = new ClaimsPrincipal(new ClaimsIdentity(Claims(form, options), AuthSetup.DevCookie, "sub", options.RoleClaim));
        await context.SignInAsync(AuthSetup.DevCookie, principal);
        var target = returnUrl is { Length: > 0 } && IsLocalUrl(returnUrl) ? returnUrl : PageContributions.Home.Href;
        return Results.Redirect(target, permanent: false, preserveMethod: false);
    }

    public static async Task<IResult> SignOut(HttpContext context)
    {
        await context.SignOutAsync(AuthSetup.DevCookie);
        return Results.Redirect("/dev/sign-in");
    }

    public static Ok<Envelope<DevToken>> IssueToken(DevSignInRequest request, DevTokens tokens, AuthOptions options, TimeProvider clock)
    {
        var (token, expiresAt) = tokens.Issue(Claims(request, options), clock);
        return TypedResults.Ok(Envelope.Of(new DevToken(token, expiresAt)));
    }

    private static IEnumerable<Claim> Claims(DevSignInRequest request, AuthOptions options)
    {
        yield return new("sub", request.UserId!);
        yield return new(options.EmailClaim, request.Email!);
        yield return new(options.RoleClaim, request.Role!);
        yield return new(options.TimeZoneClaim, request.TimeZone ?? UserProvisioning.DefaultTimeZone);
        // No name, no claim: as with an identity provider that sends none, the stored name stands.
        if (request.Name is not null) yield return new(options.NameClaim, request.Name);
    }

    /// <summary>Only same-site paths: an open redirect after sign-in would hand the session to a phishing page.</summary>
    private static bool IsLocalUrl(string url) =>
        url.StartsWith('/') && !url.StartsWith("//", StringComparison.Ordinal) && !url.StartsWith("/\\", StringComparison.Ordinal);

    [GeneratedRegex("^[A-Za-z0-9._@-]+$")]
    private static partial Regex UserIdPattern();
}
