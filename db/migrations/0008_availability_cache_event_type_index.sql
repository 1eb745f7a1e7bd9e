-- calendly_availability_cache keeps the seed's shape (the key lives in data), so its look-ups by event type (the last
-- good copy of a window, and which coach hosts an event type) need an index on that expression.
create index calendly_availability_cache_event_type_idx
    on calendly_availability_cache ((data ->> 'eventTypeUri'), created_at desc);
