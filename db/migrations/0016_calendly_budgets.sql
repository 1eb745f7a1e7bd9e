-- Each coach's budgets of calls to Calendly (API requests, token requests), shared by every instance and kept across
-- restarts: when the calls of the last minute were granted, one row per coach and kind. Calendly counts per user,
-- whichever instance calls; a budget per process would allow N instances N times its limit.
create table calendly_budgets (
    user_id bigint not null references users (id) on delete cascade,
    kind text not null check (kind in ('api', 'token')),
    granted_at timestamptz[] not null,
    primary key (user_id, kind)
);
