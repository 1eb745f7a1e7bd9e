namespace App.Features.FreeTimes;

public static class FreeTimesTags
{
    /// <summary>
    /// The tag on every cache entry of a coach's free times (and their event types): a slice that learns that a
    /// coach's availability changed (a booking, a cancellation, a webhook, a disconnect) evicts
    /// <c>"free-times:coach:{userId}"</c>.
    /// </summary>
    public static string Coach(long coachUserId) => $"free-times:coach:{coachUserId}";
}
