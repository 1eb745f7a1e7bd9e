using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using FluentValidation;

namespace App.Features.LiveUpdates;

/// <summary>
/// The stream of live updates a page opens (<see cref="LiveEvents"/>, server-sent events read by htmx's sse extension):
/// <c>sessions-changed</c> when one of the signed-in person's own sessions is booked, canceled, rescheduled or marked,
/// and <c>free-times-changed-{coachId}</c> when the free times of a coach the page shows change. Events carry no names
/// and no session: the page fetches what changed, as its viewer may see it. The stream ends when the instance stops
/// (a deploy drains it), and the browser comes back, to another instance if need be.
/// </summary>
public sealed class LiveUpdatesModule : ICarterModule
{
    /// <summary>Often enough that proxies (Fly's closes idle connections after a minute) keep the stream open and a gone reader is noticed.</summary>
    private static readonly TimeSpan KeepAlive = TimeSpan.FromSeconds(20);

    /// <summary>How soon a browser whose stream ended comes back (EventSource's retry).</summary>
    private static readonly TimeSpan Reconnect = TimeSpan.FromSeconds(2);

    private const string Opened = "open";
    private const string StillOpen = "keep-alive";

    /// <param name="Since">When the page was rendered (Unix milliseconds, <see cref="LiveEvents.Url"/>): what changed since is told at once.</param>
    public sealed record LiveEventsQuery(long[]? Coach, long? Since);

    public sealed class LiveEventsQueryValidator : AbstractValidator<LiveEventsQuery>
    {
        public LiveEventsQueryValidator()
        {
            RuleFor(q => q.Coach)
                .Must(ids => ids is null || ids.Length <= LiveEvents.MaxCoaches).WithMessage($"names at most {LiveEvents.MaxCoaches} coaches.")
                .Must(ids => ids is null || ids.All(id => id > 0)).WithMessage("must name coaches by their ids.");
            RuleFor(q => q.Since).GreaterThan(0).WithMessage("must be a time in Unix milliseconds.");
        }
    }

    public void AddRoutes(IEndpointRouteBuilder app) =>
        // Not in OpenAPI: the pages' own stream, not a JSON route (the README describes it). Like a page, it refuses
        // with an error page; a browser's EventSource then tries again later, and the page polls meanwhile.
        app.MapGet(LiveEvents.Path, StreamLiveEvents).RequireAuthorization().ExcludeFromDescription();

    public static async Task<ServerSentEventsResult<string>> StreamLiveEvents([AsParameters] LiveEventsQuery query, HttpContext context,
        CurrentUser user, LiveUpdateHub hub, IHostApplicationLifetime lifetime)
    {
        if (await Validation.ProblemsAsync(context, query) is { } problems)
            throw new ApiException(StatusCodes.Status400BadRequest, "validation_failed",
                string.Join(" ", problems.SelectMany(field => field.Value.Select(message => $"{field.Key} {message}"))), problems);
        var subscriber = hub.Subscribe(user.Id, [.. (query.Coach ?? []).Distinct()], query.Since);
        return TypedResults.ServerSentEvents(EventsAsync(subscriber, lifetime.ApplicationStopping));
    }

    private static async IAsyncEnumerable<SseItem<string>> EventsAsync(LiveUpdateHub.Subscriber subscriber, CancellationToken stopping,
        [EnumeratorCancellation] CancellationToken requestAborted = default)
    {
        using var _ = subscriber;
        using var ended = CancellationTokenSource.CreateLinkedTokenSource(stopping, requestAborted);
        // At once, so that the browser knows the stream is open (and when to come back after it ends).
        yield return new SseItem<string>("{}", Opened) { ReconnectionInterval = Reconnect };
        while (await NextOrEndAsync(subscriber, ended.Token) is { } next)
            yield return new SseItem<string>("{}", next);
    }

    /// <summary>The next event's name, a keep-alive when none came for a while, or null when the stream ends.</summary>
    private static async Task<string?> NextOrEndAsync(LiveUpdateHub.Subscriber subscriber, CancellationToken ended)
    {
        try
        {
            return await subscriber.NextAsync(KeepAlive, ended) ?? StillOpen;
        }
        catch (OperationCanceledException) when (ended.IsCancellationRequested)
        {
            return null;
        }
    }
}
