-- Live updates: every change to a session (a booking, a cancellation, a reschedule, a no-show; from a webhook, the app
-- or anything else that writes the table) tells every instance whose pages to refresh, with PostgreSQL's NOTIFY on the
-- session_changes channel (LiveUpdateHub). NOTIFY is sent when the transaction commits, and identical ones in one
-- transaction are sent once, so a batch of webhooks for one coach and realtor is one notification. Ids only: pages
-- fetch what they show, as their viewer may see it.
create function notify_session_change() returns trigger language plpgsql as $$
begin
    perform pg_notify('session_changes', json_build_object('coach', new.coach_id, 'realtor', new.realtor_id)::text);
    return null;
end
$$;

create trigger sessions_notify_change after insert or update on sessions
    for each row execute function notify_session_change();
