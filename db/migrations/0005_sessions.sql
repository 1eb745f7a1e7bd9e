-- Sessions: bookings between a realtor and a coach, made through the app or learned from Calendly's webhooks
-- (one row per invitee, the unit Calendly books, cancels and reschedules).
create table sessions (
    id                  bigint generated always as identity primary key,
    coach_id            bigint not null references users (id) on delete cascade,
    -- Null until the booking is attributed to a realtor (a webhook can arrive before the app's confirmation).
    realtor_id          bigint references users (id) on delete set null,
    scheduled_event_uri text not null,
    invitee_uri         text not null unique,
    event_type_uri      text,
    event_name          text not null,
    invitee_name        text,
    invitee_email       text,
    start_time          timestamptz not null,
    end_time            timestamptz not null check (end_time > start_time),
    status              text not null default 'active' check (status in ('active', 'canceled', 'rescheduled')),
    cancel_url          text,
    reschedule_url      text,
    -- A reschedule cancels this invitee and books a new one on a new event: the chain stays linked.
    rescheduled_to      text,
    canceled_at         timestamptz,
    cancel_reason       text,
    canceler_type       text,
    no_show_uri         text,
    source              text not null check (source in ('booking', 'webhook', 'sync')),
    created_at          timestamptz not null default now(),
    updated_at          timestamptz not null default now()
);

create index sessions_realtor_start_idx on sessions (realtor_id, start_time);
create index sessions_coach_start_idx on sessions (coach_id, start_time);
create index sessions_event_idx on sessions (scheduled_event_uri);

-- An opaque per-user reference for Calendly's utm_content, so a booking can be attributed to the realtor who made
-- it without sending their email or id to Calendly.
alter table users add column booking_ref text not null unique default replace(gen_random_uuid()::text, '-', '');
