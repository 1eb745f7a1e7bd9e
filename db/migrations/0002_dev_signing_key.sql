-- The key that signs development sign-in tokens. Kept in the database so that every app instance
-- and every test host accepts the tokens any of them issued. Unused when AUTH_AUTHORITY is set.
create table dev_signing_keys (
    id         smallint primary key check (id = 1),
    key        bytea not null check (octet_length(key) >= 32),
    created_at timestamptz not null default now()
);
