-- The operations page (/admin/health) draws the last hour from what every instance shares, so all draw the same.

-- Each token refresh that reached Calendly, with its outcome; a day is kept (the insert purges older rows).
create table calendly_token_refreshes (
    id      bigint generated always as identity primary key,
    at      timestamptz not null default now(),
    -- refreshed | failed | dead_grant
    outcome text not null,
    -- why it was wanted (expiring, rejected) or why it failed (the error code)
    reason  text not null
);

create index calendly_token_refreshes_at_idx on calendly_token_refreshes (at);

-- Lag and backlog read the events processed in the last hour and those not processed (btree indexes hold nulls too);
-- the parked count is read every few seconds for the metrics.
create index calendly_webhook_events_processed_idx on calendly_webhook_events (processed_at);
create index calendly_webhook_events_parked_idx on calendly_webhook_events (parked_at) where parked_at is not null;
