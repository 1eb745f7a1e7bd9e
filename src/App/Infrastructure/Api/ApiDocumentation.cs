using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Metadata;
using App.Infrastructure.Security;
using Microsoft.OpenApi;
using NetEscapades.AspNetCore.SecurityHeaders;
using Scalar.AspNetCore;

namespace App.Infrastructure.Api;

/// <summary>
/// The OpenAPI document of the JSON routes (<c>/openapi/v1.json</c>): how a program signs in, and the error answers
/// routes share, so that a client generated from it knows the envelope of a 401 or of Calendly being down as well as
/// of a success.
/// </summary>
public static class ApiDocumentation
{
    public const string BearerScheme = "Bearer";

    public static IServiceCollection AddApiDocumentation(this IServiceCollection services) => services.AddOpenApi(o => o
        .AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "Calendly.Slices API";
            document.Info.Description = "JSON endpoints. Every answer is the envelope { data, error }.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes[BearerScheme] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A token from the identity provider (AUTH_AUTHORITY), or from POST /api/dev/token with the development sign-in.",
            };
            return Task.CompletedTask;
        })
        .AddOperationTransformer((operation, context, _) =>
        {
            // Query records bind case-insensitively; their parameters are documented as the seed spells them (eventUri, not EventUri).
            foreach (var parameter in operation.Parameters ?? [])
                if (parameter is OpenApiParameter { In: ParameterLocation.Query, Name: { } name } query)
                    query.Name = JsonNamingPolicy.CamelCase.ConvertName(name);
            if (RequiresSignIn(context.Description.ActionDescriptor.EndpointMetadata))
                operation.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(BearerScheme, context.Document)] = [] }];
            return Task.CompletedTask;
        }));

    public const string ReferencePath = "/api/reference";

    /// <summary>
    /// The document (<c>/openapi/v1.json</c>) and a reference page for integrators drawn from it (<c>/api/reference</c>,
    /// Scalar): its script is served by the app itself, and nothing is fetched from Scalar's servers (fonts, telemetry,
    /// its AI agent).
    /// </summary>
    public static void MapApiDocumentation(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference(ReferencePath, (options, context) => options
                .WithTitle("Calendly.Slices API")
                .WithNonce(context.GetNonce())
                .DisableDefaultFonts()
                .DisableTelemetry()
                .DisableAgent()
                .DisableMcp())
            .AllowAnonymous()
            .WithSecurityHeadersPolicy(SecurityHeaders.ApiReferencePolicy);
    }

    /// <summary>Every route in the group that needs a signed-in caller documents its 401, whatever conventions it has.</summary>
    public static RouteGroupBuilder DocumentingSignIn(this RouteGroupBuilder group)
    {
        ((IEndpointConventionBuilder)group).Finally(endpoint =>
        {
            if (RequiresSignIn(endpoint.Metadata))
                endpoint.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status401Unauthorized, typeof(Envelope<object>), ["application/json"]));
        });
        return group;
    }

    /// <summary>Error answers in the envelope that the route's handler gives (401 and validation's 400 are documented already).</summary>
    public static RouteHandlerBuilder ProducesErrors(this RouteHandlerBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses) builder.Produces<Envelope<object>>(status);
        return builder;
    }

    /// <summary>
    /// A route that asks Calendly: what a <see cref="CalendlyException"/> answers. 409 not connected or reconnect
    /// required, 403 a missing scope (calendly_scope_missing, details.requiredScopes) or Calendly's refusal
    /// (calendly_forbidden), 502 a malformed answer, 503 Calendly down or rate-limiting.
    /// </summary>
    public static RouteHandlerBuilder ProducesCalendlyErrors(this RouteHandlerBuilder builder) =>
        builder.ProducesErrors(StatusCodes.Status403Forbidden, StatusCodes.Status409Conflict, StatusCodes.Status502BadGateway,
            StatusCodes.Status503ServiceUnavailable);

    private static bool RequiresSignIn(IEnumerable<object> metadata) =>
        metadata.OfType<IAuthorizeData>().Any() && !metadata.OfType<IAllowAnonymous>().Any();
}
