-- Webhooks: deliveries kept exactly once (Calendly delivers at least once), processed with retries and parking,
-- and each connection's webhook subscription tracked so a disabled or missing one is noticed and recreated.

alter table calendly_webhook_events
    -- Calendly deliveries carry no id: the identity is derived from the event name, the payload's URI and its
    -- timestamps (see Features/Webhooks), so a redelivery finds its first copy.
    add column dedupe_key        text,
    add column calendly_user_uri text,
    add column attempts          integer not null default 0,
    add column next_attempt_at   timestamptz not null default now(),
    add column parked_at         timestamptz,
    add column received_at       timestamptz not null default now();

create unique index calendly_webhook_events_dedupe_idx on calendly_webhook_events (dedupe_key);

-- The processor claims due, unprocessed, unparked events oldest first.
drop index calendly_webhook_events_unprocessed_idx;
create index calendly_webhook_events_due_idx
    on calendly_webhook_events (next_attempt_at, id)
    where processed_at is null and parked_at is null;

alter table calendly_integrations
    add column webhook_subscription_uri text,
    -- active | disabled | missing | unsupported_plan (free plans cannot subscribe: kept current by polling)
    add column webhook_state            text not null default 'missing'
        check (webhook_state in ('active', 'disabled', 'missing', 'unsupported_plan')),
    add column webhook_checked_at       timestamptz,
    add column last_webhook_at          timestamptz,
    add column last_sync_error          text,
    add column next_sync_at             timestamptz,
    add column failed_sync_count        integer not null default 0;
