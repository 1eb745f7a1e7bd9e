-- The coach as Calendly names them (GET /users/me at connect and at each sync, and each booking's event_memberships),
-- so realtors read "Casey Rivera" rather than a sign-in email; and the email of the Calendly account, which the
-- connection card names ("Connected as Casey Rivera (casey.rivera@…)").
alter table calendly_integrations
    add column calendly_name text check (char_length(calendly_name) between 1 and 100),
    add column calendly_email text;

-- How the app names a person to someone else, defined once: a coach by their Calendly name, anyone by the name their
-- sign-in gave, their email only when nothing named them.
create view display_names as
select u.id as user_id, coalesce(i.calendly_name, u.name, u.email, u.external_id) as name
from users u
left join calendly_integrations i on i.user_id = u.id;
