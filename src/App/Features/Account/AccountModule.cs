using FluentValidation;
using Microsoft.AspNetCore.Mvc;
using App.Infrastructure.Caching;

[assembly: PageNotice(App.Features.Account.AccountModule.TimeZoneSavedNotice, "Your time zone is saved: every time is shown in it.")]

namespace App.Features.Account;

/// <summary>
/// Who the caller is, as this app knows them, and the one thing they set themselves: their time zone, in which
/// every time on the pages is shown (detected in the browser, chosen with a select that needs no JavaScript).
/// </summary>
public sealed class AccountModule : ICarterModule
{
    public const string TimeZoneSavedNotice = "time-zone-saved";

    public sealed record Me(long Id, string ExternalId, string? Email, string Name, string Role, string TimeZone);

    public sealed record TimeZoneRequest
    {
        public string? TimeZone { get; init; }

        /// <summary>The page whose time-zone picker posted the form (the header's, on every page): it reloads in the new zone.</summary>
        public string? ReturnUrl { get; init; }
    }

    public sealed class TimeZoneRequestValidator : AbstractValidator<TimeZoneRequest>
    {
        public TimeZoneRequestValidator() =>
            RuleFor(r => r.TimeZone).NotEmpty().WithMessage("is required.")
                .Must(tz => tz is null || TimeZoneChoices.Contains(tz)).WithMessage("must be an IANA time zone such as Europe/Paris.");
    }

    /// <param name="ReturnUrl">The page whose header sent the person here for a zone it does not offer: they go back there once saved.</param>
    public sealed record SettingsView(CurrentUser User, string Selected, IReadOnlyDictionary<string, string[]> Errors, bool Saved,
        string? ReturnUrl = null);

    private const string UpdateTimeZoneSql = "update users set time_zone = @TimeZone, updated_at = now() where id = @Id";

    public void AddRoutes(IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/me").RequireAuthorization().WithTags("Account");
        api.MapGet("", GetMe).WithSummary("The signed-in user (created on the first authenticated request).");
        api.MapPut("/time-zone", SetTimeZone).Validate<TimeZoneRequest>().WithSummary("Set the user's IANA time zone.");

        var pages = app.MapGroup("/settings").RequireAuthorization().ExcludeFromDescription();
        pages.MapGet("", ShowSettings);
        pages.MapPost("", SaveSettings);
    }

    public static Ok<Envelope<Me>> GetMe(CurrentUser user) => TypedResults.Ok(Envelope.Of(ToMe(user)));

    public static async Task<Ok<Envelope<Me>>> SetTimeZone(TimeZoneRequest request, CurrentUser user, NpgsqlDataSource db,
        ClusterCache cache, CancellationToken ct)
    {
        await SaveTimeZoneAsync(user, request.TimeZone!, db, cache, ct);
        return TypedResults.Ok(Envelope.Of(ToMe(user with { TimeZone = request.TimeZone! })));
    }

    public static IResult ShowSettings(HttpContext context, CurrentUser user, bool? saved, string? returnUrl) =>
        Render(context, new SettingsView(user, user.TimeZone, new Dictionary<string, string[]>(), saved == true, PagePaths.LocalOrNull(returnUrl)), 200);

    public static async Task<IResult> SaveSettings([FromForm] TimeZoneRequest form, HttpContext context, CurrentUser user,
        NpgsqlDataSource db, ClusterCache cache, CancellationToken ct)
    {
        if (await Validation.ProblemsAsync(context, form) is { } problems)
            return Render(context, new SettingsView(user, form.TimeZone ?? "", problems, false, PagePaths.LocalOrNull(form.ReturnUrl)),
                StatusCodes.Status422UnprocessableEntity);
        await SaveTimeZoneAsync(user, form.TimeZone!, db, cache, ct);
        var back = PagePaths.LocalOrNull(form.ReturnUrl);
        if (!context.Request.Headers.ContainsKey("HX-Request"))
            return Results.Redirect(back is not null ? PageNotices.Url(back, TimeZoneSavedNotice) : "/settings?saved=true");
        if (back is not null)
        {
            // Sent here from another page's header: that page is shown again, in the new zone.
            context.Response.Headers["HX-Redirect"] = PageNotices.Url(back, TimeZoneSavedNotice);
            return Results.NoContent();
        }
        context.Response.Toast($"Times are now shown in {form.TimeZone}.");
        return Render(context, new SettingsView(user with { TimeZone = form.TimeZone! }, form.TimeZone!, new Dictionary<string, string[]>(), true), 200);
    }

    private static async Task SaveTimeZoneAsync(CurrentUser user, string timeZone, NpgsqlDataSource db, ClusterCache cache, CancellationToken ct)
    {
        await using (var connection = await db.OpenConnectionAsync(ct))
            await connection.ExecuteAsync(new CommandDefinition(UpdateTimeZoneSql, new { TimeZone = timeZone, user.Id }, cancellationToken: ct));
        await cache.EvictAsync(UserProvisioning.CacheTag(user.ExternalId), ct);
    }

    private static IResult Render(HttpContext context, SettingsView view, int status)
    {
        var page = SettingsPage.Create(view);
        var form = _TimeZoneForm.Create(view);
        page.StatusCode = status;
        form.StatusCode = status;
        return HtmxPages.PageOrPartial(context, page, form);
    }

    private static Me ToMe(CurrentUser user) => new(user.Id, user.ExternalId, user.Email, user.Name, user.Role, user.TimeZone);
}
