using Htmx;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Html;

namespace App.Infrastructure.Web;

public sealed record LayoutModel(string Title)
{
    /// <summary>The page's stream of live updates (<see cref="LiveEvents.Url"/>), for a page that shows what others may change.</summary>
    public string? LiveEventsUrl { get; init; }
}

public enum ToastLevel { Success, Info, Error }

/// <summary>htmx conventions decided once: same URL for page and fragment, toasts through HX-Trigger.</summary>
public static class HtmxPages
{
    /// <summary>
    /// The full page for a navigation, a boosted link or a history restore (any of them may be a cold load); the
    /// fragment alone for an htmx request that swaps it. <c>Vary: HX-Request</c> keeps caches from mixing the two.
    /// </summary>
    public static IResult PageOrPartial(HttpContext context, IResult page, IResult partial)
    {
        context.Response.Htmx(h => h.WithVary());
        var request = context.Request;
        return request.IsHtmxNonBoosted() && !request.IsHtmxHistoryRestoreRequest() ? partial : page;
    }

    /// <summary>Shows a toast on the page that made the request (the layout's script listens for "toast").</summary>
    public static void Toast(this HttpResponse response, string message, ToastLevel level = ToastLevel.Success) =>
        response.Htmx(h => h.WithTrigger("toast", new { level = level.ToString().ToLowerInvariant(), message }));

    /// <summary>
    /// The answer to a form a page posted, once its work is done. Without htmx: back to <paramref name="path"/>, which
    /// shows the notice (a <see cref="PageNoticeAttribute"/> key). With htmx: no content, the notice as a toast, and
    /// <paramref name="changedEvent"/> raised for the part of the page that reloads itself (not after settle: an answer
    /// without content never settles).
    /// </summary>
    public static IResult Done(HttpContext context, string path, string notice, string changedEvent)
    {
        if (!context.Request.IsHtmx()) return Results.Redirect(PageNotices.Url(path, notice));
        context.Response.Toast(PageNotices.Text(notice)!);
        context.Response.Htmx(h => h.WithTrigger(changedEvent));
        return Results.NoContent();
    }

    /// <summary>The anti-forgery token as a hidden form field, for plain (non-htmx) forms.</summary>
    public static IHtmlContent AntiforgeryField(HttpContext context)
    {
        var tokens = context.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(context);
        return new HtmlString(
            $"<input type=\"hidden\" name=\"{tokens.FormFieldName}\" value=\"{System.Net.WebUtility.HtmlEncode(tokens.RequestToken)}\">");
    }
}
