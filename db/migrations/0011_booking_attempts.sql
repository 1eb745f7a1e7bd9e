-- Bookings made in the app (POST /api/calendly/invitees), one row per Idempotency-Key of a user. The row inserted
-- first is the claim: however many instances receive the key at once, one of them asks Calendly and the others wait
-- for its answer, which is kept here for 24 hours and given again to every repeat.
create table booking_attempts (
    id              bigint generated always as identity primary key,
    user_id         bigint not null references users (id) on delete cascade,
    idempotency_key text not null,
    -- A hash of the request as understood: the key sent again with another booking is refused, not answered.
    fingerprint     text not null,
    -- Sent to Calendly as the invitee's tracking utm_term, so Calendly's own record shows whether this attempt booked.
    reference       text not null unique,
    -- The instance working on the attempt holds it until then; a repeat may take over an attempt whose instance died.
    lease_until     timestamptz not null,
    -- Set before the booking leaves for Calendly: from then on, only Calendly's record can say it failed.
    posted_at       timestamptz,
    -- The decided answer (201, 403, 409 or 429) and its body; null while the attempt is undecided.
    status          integer,
    answer          jsonb,
    decided_at      timestamptz,
    created_at      timestamptz not null default now(),
    unique (user_id, idempotency_key)
);

-- A user's keys older than 24 hours are deleted when they book again.
create index booking_attempts_user_created_idx on booking_attempts (user_id, created_at);
