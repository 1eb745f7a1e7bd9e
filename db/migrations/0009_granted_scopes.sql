-- What Calendly granted each connection: the token response's scope, space-separated as OAuth writes it, so that a
-- connection lacking a scope works without the features that need it and the connection card says which. Connections
-- made before this script were checked for every scope when they were made: they count as Calendly's legacy grant,
-- "default" (everything).
alter table calendly_integrations
    add column granted_scopes text not null default 'default';

-- A subscription Calendly refused for a missing scope is the coach's to fix (allow it, reconnect), not polled like a
-- plan that refuses webhooks (unsupported_plan; since 2026-11-03 every plan may subscribe, so that is rare).
alter table calendly_integrations
    drop constraint calendly_integrations_webhook_state_check,
    add constraint calendly_integrations_webhook_state_check
        check (webhook_state in ('active', 'disabled', 'missing', 'unsupported_plan', 'scope_missing'));
