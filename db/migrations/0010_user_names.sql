-- A person's name, as the identity provider (its name claim) or the development sign-in gave it: Calendly books an
-- invitee by name. Null until something gives one; the app shows the email's local part meanwhile, a fallback it
-- does not store, so the column holds only names someone gave.
alter table users
    add column name text check (char_length(name) between 1 and 100);
