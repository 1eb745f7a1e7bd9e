using App.Infrastructure.Caching;
using static App.Features.NativeBooking.NativeBookingModule;

namespace App.Features.NativeBooking;

/// <summary>
/// One booking attempt with Calendly: the coach who hosts the event type, the booking form checked, the realtor booked
/// as the invitee, and the outcome decided. The booking is sent once and never retried. When its answer is lost (a
/// timeout, a broken answer, a 5xx) Calendly's own record, searched for this attempt's reference, says whether it booked,
/// so a flaky network can neither book twice nor report a booking that was made as failed.
/// </summary>
internal static class InviteeBooking
{
    /// <summary>The utm_source of every booking the app makes, as on the embedded booking page.</summary>
    private const string UtmSource = "calendly-slices";
    private const string BookingScope = "scheduled_events:write";
    private const int MaxNextSlots = 5;
    private const int MaxInviteesPerEvent = 1000;
    // Calendly lists only start times in the future; a minute covers our clock running behind theirs.
    private static readonly TimeSpan PastStartMargin = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan SettleWindow = TimeSpan.FromMinutes(1);

    public static async Task<BookingOutcome> AttemptAsync(BookingAttempts.Attempt attempt, AskedBooking asked, CurrentUser user,
        BookingServices services, CancellationToken ct)
    {
        try
        {
            var host = await BookingHosts.FindAsync(asked.EventTypeUri, services, ct);
            if (host is null || !host.EventType.Active || host.EventType.DeletedAt is not null) return NotOffered();
            var form = BookingForm.Fill(host.EventType, asked);
            if (form.Problems is { } problems) return BookingOutcome.Invalid(problems);
            // Taken over from an instance that sent the booking and never learned how it went: Calendly's record first.
            if (attempt.MayHaveBooked && await SettleAsync(attempt, asked, user, host, services, ct) is { } earlier)
                return await RecordAsync(earlier, host, services, ct);
            return await BookOnceAsync(attempt, asked, form, user, host, services, ct);
        }
        catch (CalendlyException e) when (!attempt.MayHaveBooked)
        {
            return Refusal(e);
        }
        catch (CalendlyException)
        {
            // Calendly may have booked and could not be asked: undecided, the attempt waits for a repeat to settle it.
            return NotConfirmed();
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return NotConfirmed();
        }
    }

    private static async Task<BookingOutcome> BookOnceAsync(BookingAttempts.Attempt attempt, AskedBooking asked, BookingForm form,
        CurrentUser user, BookingHost host, BookingServices services, CancellationToken ct)
    {
        string bookingRef;
        await using (var connection = await services.Db.OpenConnectionAsync(ct))
            bookingRef = await connection.ExecuteScalarAsync<string>(new CommandDefinition(
                "select booking_ref from users where id = @Id", new { user.Id }, cancellationToken: ct)) ?? "";
        // utm_content attributes the invitee.created webhook that follows to this realtor (as the embedded page's does),
        // so it lands on the same session rather than a second one; utm_term finds this attempt in Calendly's record.
        var booking = new InviteeRequest(host.EventType.Uri, IsoTime.Microseconds(asked.Start),
            new NewInvitee(user.Email!, user.Name, asked.TimeZone), form.Location, form.Answers.Count > 0 ? form.Answers : null,
            new InviteeTracking(null, UtmSource, null, bookingRef, attempt.Reference), asked.Guests.Count > 0 ? asked.Guests : null);

        await BookingAttempts.MarkPostedAsync(services.Db, attempt, ct);
        Invitee invitee;
        try
        {
            // The whole exchange within Calendly's deadline, its answer's body included: a person is waiting.
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(services.Resilience.Deadline);
            invitee = await services.Calls.RunAsync(host.CoachId,
                (client, accessToken) => client.CreateInviteeAsync(accessToken, booking, deadline.Token), deadline.Token);
        }
        catch (OperationCanceledException e) when (!ct.IsCancellationRequested)
        {
            return await SettleLostAnswerAsync(attempt, asked, user, host, services, e, ct);
        }
        catch (CalendlyException e) when (e.Failure is CalendlyFailure.Unavailable or CalendlyFailure.InvalidResponse)
        {
            return await SettleLostAnswerAsync(attempt, asked, user, host, services, e, ct);
        }
        catch (CalendlyException e)
        {
            // Calendly answered, so it did not book.
            attempt.MayHaveBooked = false;
            return await RefusedAsync(e, asked, host, services, ct);
        }
        return await RecordAsync(new NewSessions.Facts(host.CoachId, user.Id, invitee.Event, invitee.Uri, host.EventType.Uri, host.EventType.Name,
            invitee.Name, invitee.Email, asked.Start, asked.Start.AddMinutes(host.EventType.Duration), invitee.CancelUrl, invitee.RescheduleUrl),
            host, services, ct);
    }


    private static async Task<BookingOutcome> SettleLostAnswerAsync(BookingAttempts.Attempt attempt, AskedBooking asked, CurrentUser user,
        BookingHost host, BookingServices services, Exception lost, CancellationToken ct)
    {
        var found = await SettleAsync(attempt, asked, user, host, services, ct);
        services.Logger.LogWarning("The answer to booking attempt {Reference} was lost ({Reason}); Calendly's record shows {Outcome}",
            attempt.Reference, lost.Message, found is null ? "no booking" : $"invitee {found.InviteeUri}");
        if (found is not null) return await RecordAsync(found, host, services, ct);
        attempt.MayHaveBooked = false;
        return Unavailable("Calendly did not answer, and its record shows the booking was not made. Try again.");
    }

    /// <summary>
    /// This attempt's booking in Calendly's record, or null when it made none: the coach's events at the start time with the
    /// realtor as invitee, and among their invitees the one whose utm_term is this attempt's reference.
    /// </summary>
    private static async Task<NewSessions.Facts?> SettleAsync(BookingAttempts.Attempt attempt, AskedBooking asked, CurrentUser user,
        BookingHost host, BookingServices services, CancellationToken ct)
    {
        var query = new CalendlyClient.ScheduledEventQuery(host.CalendlyUserUri, InviteeEmail: user.Email, MinStartTime: asked.Start - SettleWindow,
            MaxStartTime: asked.Start + SettleWindow, Count: 100);
        var events = await services.Calls.RunAsync(host.CoachId, (client, accessToken) => client.ListScheduledEventsAsync(accessToken, query, ct), ct);
        foreach (var scheduled in events.Collection)
        {
            var eventUuid = CalendlyClient.UuidOf(scheduled.Uri);
            await foreach (var invitee in CalendlyClient.AllPagesAsync(pageToken => services.Calls.RunAsync(host.CoachId,
                               (client, accessToken) => client.ListInviteesAsync(accessToken, eventUuid, 100, pageToken, ct), ct), MaxInviteesPerEvent))
            {
                if (invitee.Tracking?.UtmTerm == attempt.Reference)
                    return new NewSessions.Facts(host.CoachId, user.Id, scheduled.Uri, invitee.Uri, scheduled.EventType, scheduled.Name,
                        invitee.Name, invitee.Email, scheduled.StartTime, scheduled.EndTime, invitee.CancelUrl, invitee.RescheduleUrl);
            }
        }
        return null;
    }

    private static async Task<BookingOutcome> RecordAsync(NewSessions.Facts facts, BookingHost host, BookingServices services, CancellationToken ct)
    {
        var session = await NewSessions.RecordAsync(services.Db, facts, ct);
        // The time is taken: the coach's cached free times are out of date (the tag the FreeTimes slice caches them under).
        await services.Cache.EvictAsync(CacheTags.FreeTimesOfCoach(host.CoachId), ct);
        return BookingOutcome.Booked(session);
    }

    /// <summary>Calendly's refusal of the booking, in the route's terms.</summary>
    private static async Task<BookingOutcome> RefusedAsync(CalendlyException e, AskedBooking asked, BookingHost host, BookingServices services,
        CancellationToken ct)
    {
        var details = e.Details as IReadOnlyList<CalendlyErrorDetail> ?? [];
        switch (e.Failure)
        {
            case CalendlyFailure.Rejected when details.Any(d => d.Parameter == "start_time"):
                return BookingOutcome.Refused(StatusCodes.Status409Conflict, "slot_unavailable",
                    "That time is no longer free; nextSlots are the next free times that day.",
                    new { nextSlots = await NextSlotsAsync(asked, host, services, ct) });
            case CalendlyFailure.Rejected:
                return BookingOutcome.Invalid(details.Count == 0
                    ? new Dictionary<string, string[]> { ["body"] = [e.Message] }
                    : details.GroupBy(d => FieldOf(d.Parameter)).ToDictionary(g => g.Key, g => g.Select(d => d.Message ?? "is invalid.").ToArray()));
            case CalendlyFailure.Forbidden:
                // The coach's own token is used, so the one thing Calendly can refuse is the scope booking needs.
                return BookingOutcome.Refused(StatusCodes.Status403Forbidden, "calendly_scope_missing",
                    $"The coach's Calendly connection does not allow booking from the app (it lacks {BookingScope}): book on Calendly's page, "
                    + "or ask the coach to reconnect Calendly.",
                    new { requiredScopes = new[] { BookingScope } });
            case CalendlyFailure.NotFound:
                return NotOffered();
            case CalendlyFailure.RateLimited:
                // Not retried, not even after the wait: a person is waiting, and asks again when they choose to.
                var seconds = (int)Math.Ceiling((e.RetryAfter ?? TimeSpan.FromMinutes(1)).TotalSeconds);
                return BookingOutcome.Refused(StatusCodes.Status429TooManyRequests, "calendly_rate_limited",
                    $"Calendly's booking limit for this coach is reached; try again in {seconds} seconds.",
                    new { retryAfterSeconds = seconds }, seconds);
            default:
                return Refusal(e);
        }
    }

    /// <summary>Up to five free start times after the asked one, until the end of that day in the realtor's time zone.</summary>
    private static async Task<IReadOnlyList<DateTimeOffset>> NextSlotsAsync(AskedBooking asked, BookingHost host, BookingServices services,
        CancellationToken ct)
    {
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(asked.TimeZone, out var found) ? found : TimeZoneInfo.Utc;
        var nextMidnight = TimeZoneInfo.ConvertTime(asked.Start, zone).Date.AddDays(1);
        var dayEnd = new DateTimeOffset(nextMidnight, zone.GetUtcOffset(nextMidnight));
        var earliest = services.Clock.GetUtcNow() + PastStartMargin;
        var from = asked.Start > earliest ? asked.Start : earliest;
        if (from >= dayEnd) return [];
        try
        {
            var free = await services.Calls.RunAsync(host.CoachId,
                (client, accessToken) => client.ListAvailableTimesAsync(accessToken, host.EventType.Uri, from, dayEnd, ct), ct);
            return [.. free.Collection.Select(time => time.StartTime).Where(start => start > asked.Start).Order().Take(MaxNextSlots)];
        }
        catch (CalendlyException)
        {
            return []; // the refusal is the answer; suggestions are a courtesy
        }
    }

    /// <summary>The request's field a Calendly parameter comes from; the invitee's email and name are the account's, named as Calendly does.</summary>
    private static string FieldOf(string? parameter) => parameter switch
    {
        null => "body",
        "event_type" => "eventUri",
        "invitee.timezone" => "timeZone",
        _ when parameter.StartsWith("location", StringComparison.Ordinal) => "location",
        _ when parameter.StartsWith("questions_and_answers", StringComparison.Ordinal) => "answers",
        _ when parameter.StartsWith("event_guests", StringComparison.Ordinal) => "guests",
        _ => parameter,
    };

    private static BookingOutcome NotOffered() =>
        BookingOutcome.Refused(StatusCodes.Status404NotFound, "not_found", "No connected coach offers this session type.");

    private static BookingOutcome Unavailable(string message) =>
        BookingOutcome.Refused(StatusCodes.Status503ServiceUnavailable, "calendly_unavailable", message);

    private static BookingOutcome NotConfirmed() =>
        Unavailable("Calendly did not confirm the booking in time. Send the request again with the same Idempotency-Key: it never books twice.");

    private static BookingOutcome Refusal(CalendlyException e) => BookingOutcome.Refused(e.StatusCode, e.Code, e.Message, e.Details);
}
