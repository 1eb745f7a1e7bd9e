-- The seed's tables in PostgreSQL form. Applied scripts are never edited: change the schema with a new,
-- higher-numbered script.

create table users (
    id          bigint generated always as identity primary key,
    -- The identity provider's subject (Clerk user id, OIDC "sub", or the development sign-in's user id).
    external_id text not null unique,
    -- Not every identity provider puts an email in its session token (Clerk does not by default).
    email       text,
    role        text not null check (role in ('coach', 'realtor', 'admin')),
    time_zone   text not null default 'UTC',
    created_at  timestamptz not null default now(),
    updated_at  timestamptz not null default now()
);

create table calendly_integrations (
    id                   bigint generated always as identity primary key,
    user_id              bigint not null unique references users (id) on delete cascade,
    -- Ciphertext only (ASP.NET Core Data Protection); a dump of this table reveals no token.
    access_token         text not null,
    refresh_token        text not null,
    expires_at           timestamptz not null,
    last_sync_at         timestamptz,
    failed_refresh_count integer not null default 0 check (failed_refresh_count >= 0),
    status               text not null default 'active' check (status in ('active', 'needs_reconnect')),
    calendly_user_uri    text not null unique,
    organization_url     text,
    scheduling_url       text,
    created_at           timestamptz not null default now(),
    updated_at           timestamptz not null default now()
);

-- The token refresh job looks for active connections whose access token expires soon.
create index calendly_integrations_expiring_idx
    on calendly_integrations (expires_at)
    where status = 'active';

create table calendly_availability_cache (
    id         bigint generated always as identity primary key,
    user_id    bigint not null references users (id) on delete cascade,
    data       jsonb not null,
    expires_at timestamptz not null,
    created_at timestamptz not null default now()
);

-- Readers want a coach's newest unexpired entry; the sync job sweeps expired ones.
create index calendly_availability_cache_user_idx
    on calendly_availability_cache (user_id, expires_at desc);

create table calendly_webhook_events (
    id           bigint generated always as identity primary key,
    event_type   text not null,
    payload      jsonb not null,
    processed_at timestamptz,
    error        text,
    created_at   timestamptz not null default now()
);

-- The webhook processor claims unprocessed events oldest first.
create index calendly_webhook_events_unprocessed_idx
    on calendly_webhook_events (created_at, id)
    where processed_at is null;
