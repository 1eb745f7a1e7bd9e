using System.Security.Cryptography;
using System.Text.Json;
using static App.Features.NativeBooking.NativeBookingModule;

namespace App.Features.NativeBooking;

/// <summary>
/// Idempotency-Keys and what they came to, in PostgreSQL so that it holds across instances and restarts. The first
/// request with a key inserts its row (the claim) and works on the attempt; a repeat finds the row and gives its decided
/// outcome again, waits while it is undecided, or takes it over when the lease of the instance working on it ran out.
/// A key is its user's own and lasts 24 hours.
/// </summary>
internal static class BookingAttempts
{
    public static readonly TimeSpan KeptFor = TimeSpan.FromHours(24);
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// The attempt a request works on. <see cref="MayHaveBooked"/>: its booking left for Calendly and no answer says how it
    /// went (set again when a repeat takes over such an attempt, which then asks Calendly's record before booking).
    /// </summary>
    public sealed class Attempt(long id, string reference, bool mayHaveBooked)
    {
        public long Id => id;

        /// <summary>Opaque; the booking carries it as utm_term, so Calendly's record shows whether this attempt booked.</summary>
        public string Reference => reference;

        public bool MayHaveBooked { get; set; } = mayHaveBooked;
    }

    /// <summary>The attempt to work on, or the answer to give at once (a decided outcome, or the key reused).</summary>
    public sealed record Claim(Attempt? Attempt, BookingOutcome? Answer);

    private sealed record AttemptRow(long Id, string Fingerprint, string Reference, bool Posted, bool LeaseOver, string? Answer);

    private const string ExpireSql = "delete from booking_attempts where user_id = @UserId and created_at < now() - @KeptFor";

    private const string ClaimSql = """
        insert into booking_attempts (user_id, idempotency_key, fingerprint, reference, lease_until)
        values (@UserId, @Key, @Fingerprint, @Reference, now() + @Lease)
        on conflict (user_id, idempotency_key) do nothing
        returning id
        """;

    private const string FindSql = """
        select id, fingerprint, reference, posted_at is not null as posted, lease_until < now() as lease_over, answer::text as answer
        from booking_attempts
        where user_id = @UserId and idempotency_key = @Key
        """;

    // Only an undecided attempt whose lease ran out: its instance died, or gave up not knowing whether Calendly booked.
    private const string TakeOverSql = """
        update booking_attempts set lease_until = now() + @Lease
        where id = @Id and status is null and lease_until < now()
        returning id
        """;

    public static async Task<Claim> ClaimAsync(NpgsqlDataSource db, long userId, string key, string fingerprint, TimeSpan lease,
        CancellationToken ct)
    {
        var reference = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));
        var parameters = new { UserId = userId, Key = key, Fingerprint = fingerprint, Reference = reference, Lease = lease, KeptFor };
        await using (var connection = await db.OpenConnectionAsync(ct))
            await connection.ExecuteAsync(new CommandDefinition(ExpireSql, parameters, cancellationToken: ct));
        // Bounded by the lease: once it runs out, this request takes the attempt over instead of waiting on.
        while (true)
        {
            await using (var connection = await db.OpenConnectionAsync(ct))
            {
                if (await connection.ExecuteScalarAsync<long?>(new CommandDefinition(ClaimSql, parameters, cancellationToken: ct)) is { } id)
                    return new Claim(new Attempt(id, reference, mayHaveBooked: false), null);
                var row = await connection.QuerySingleOrDefaultAsync<AttemptRow>(new CommandDefinition(FindSql, parameters, cancellationToken: ct));
                // Gone between the two statements: its attempt ended undecided and freed the key, so claim it again.
                if (row is null) continue;
                if (row.Fingerprint != fingerprint)
                    return new Claim(null, BookingOutcome.Refused(StatusCodes.Status409Conflict, "idempotency_key_reused",
                        "This Idempotency-Key came with another booking in the last 24 hours; send a new key for a new booking."));
                if (row.Answer is { } answer)
                    return new Claim(null, JsonSerializer.Deserialize<BookingOutcome>(answer, ApiJson.Options)! with { Replayed = true });
                if (row.LeaseOver && await connection.ExecuteScalarAsync<long?>(new CommandDefinition(TakeOverSql,
                        new { row.Id, Lease = lease }, cancellationToken: ct)) is not null)
                    return new Claim(new Attempt(row.Id, row.Reference, row.Posted), null);
            }
            await Task.Delay(PollInterval, ct);
        }
    }

    /// <summary>Recorded before the booking leaves: if this instance dies waiting for Calendly, a repeat knows to ask Calendly's record first.</summary>
    public static async Task MarkPostedAsync(NpgsqlDataSource db, Attempt attempt, CancellationToken ct)
    {
        await using var connection = await db.OpenConnectionAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition("update booking_attempts set posted_at = now() where id = @Id",
            new { attempt.Id }, cancellationToken: ct));
        attempt.MayHaveBooked = true;
    }

    private const string DecideSql = """
        update booking_attempts set status = @Status, answer = @Answer::jsonb, decided_at = now()
        where id = @Id and status is null
        """;

    private const string ReleaseSql = "update booking_attempts set lease_until = now() where id = @Id and status is null";

    private const string ForgetSql = "delete from booking_attempts where id = @Id and status is null";

    /// <summary>
    /// Ends a request's work on its attempt: a decided outcome is kept for repeats. An undecided one (a validation failure,
    /// a 5xx, an exception) frees the key, unless Calendly may have booked: then the attempt stays, for the next repeat
    /// to settle from Calendly's record. Written whatever the caller's cancellation, since repeats depend on it.
    /// </summary>
    public static async Task FinishAsync(NpgsqlDataSource db, Attempt attempt, BookingOutcome? outcome)
    {
        await using var connection = await db.OpenConnectionAsync(CancellationToken.None);
        if (outcome is { IsDecided: true })
            await connection.ExecuteAsync(DecideSql, new { attempt.Id, outcome.Status, Answer = JsonSerializer.Serialize(outcome, ApiJson.Options) });
        else
            await connection.ExecuteAsync(attempt.MayHaveBooked ? ReleaseSql : ForgetSql, new { attempt.Id });
    }
}
