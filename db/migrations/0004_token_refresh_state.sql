-- State for the token lifecycle: when the next refresh may be tried after failures (exponential backoff),
-- which instance has claimed an integration for the refresh job (a short lease), and what happened last.
alter table calendly_integrations
    add column next_refresh_at     timestamptz,
    add column refresh_lease_until timestamptz,
    add column last_refreshed_at   timestamptz,
    add column last_refresh_error  text;
