-- Every webhook subscription this app creates at Calendly, with the address it delivers to. When the app's address
-- changes (a new PUBLIC_BASE_URL, another instance's), the health check deletes the app's own subscriptions to other
-- addresses, and never one it did not create.
create table calendly_created_webhook_subscriptions (
    uri text primary key,
    user_id bigint not null references users (id) on delete cascade,
    callback_url text not null,
    created_at timestamptz not null default now()
);

create index calendly_created_webhook_subscriptions_user on calendly_created_webhook_subscriptions (user_id);
