using NetEscapades.AspNetCore.SecurityHeaders;

namespace App.Infrastructure.Security;

/// <summary>
/// The headers every answer carries (NetEscapades.AspNetCore.SecurityHeaders). Pages run only the app's own scripts
/// and styles (no inline ones, no eval: htmx is configured for that in the layout), frame nothing but Calendly's booking
/// page (the simulator's in simulated mode), and are framed by no one.
/// </summary>
public static class SecurityHeaders
{
    /// <summary>The API reference (Scalar): its one inline start-up script runs by nonce, and it styles itself inline.</summary>
    public const string ApiReferencePolicy = "api-reference";

    public static IServiceCollection AddAppSecurityHeaders(this IServiceCollection services, CalendlyOptions calendly,
        IHostEnvironment environment)
    {
        services.AddSecurityHeaderPolicies()
            .SetDefaultPolicy(policy => Common(policy, environment).AddContentSecurityPolicy(csp =>
            {
                Baseline(csp);
                csp.AddScriptSrc().Self();
                csp.AddStyleSrc().Self();
                csp.AddFrameSrc().From(calendly.WidgetOrigin);
            }))
            .AddPolicy(ApiReferencePolicy, policy => Common(policy, environment).AddContentSecurityPolicy(csp =>
            {
                Baseline(csp);
                csp.AddScriptSrc().Self().WithNonce();
                csp.AddStyleSrc().Self().UnsafeInline();
                csp.AddFontSrc().Self().Data();
                csp.AddImgSrc().Self().Data();
            }));
        return services;
    }

    private static HeaderPolicyCollection Common(HeaderPolicyCollection policy, IHostEnvironment environment)
    {
        policy.AddFrameOptionsDeny()
            .AddContentTypeOptionsNoSniff()
            .AddReferrerPolicyStrictOriginWhenCrossOrigin()
            .AddPermissionsPolicyWithDefaultSecureDirectives()
            .AddCrossOriginOpenerPolicy(coop => coop.SameOrigin())
            .RemoveServerHeader();
        // Only over https (the middleware skips plain http); behind Fly's proxy the forwarded headers make it https.
        if (environment.IsProduction()) policy.AddStrictTransportSecurityMaxAgeIncludeSubDomains();
        return policy;
    }

    private static void Baseline(CspBuilder csp)
    {
        csp.AddDefaultSrc().Self();
        csp.AddConnectSrc().Self();
        csp.AddObjectSrc().None();
        csp.AddBaseUri().Self();
        csp.AddFormAction().Self();
        csp.AddFrameAncestors().None();
    }
}
