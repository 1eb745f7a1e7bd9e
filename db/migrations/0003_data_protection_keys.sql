-- ASP.NET Core Data Protection key ring, shared by every app instance (it encrypts Calendly tokens, session
-- cookies and anti-forgery tokens). Each key's XML is itself encrypted with DATA_PROTECTION_KEK, which lives
-- only in the environment: a dump of this database alone decrypts nothing.
create table data_protection_keys (
    id            bigint generated always as identity primary key,
    friendly_name text not null unique,
    xml           text not null,
    created_at    timestamptz not null default now()
);
