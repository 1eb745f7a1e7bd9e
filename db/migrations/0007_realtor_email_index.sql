-- Webhook effects attribute a booking to the realtor with the invitee's email when the booking carries no reference
-- (someone booked on Calendly directly). Without this index each such event scanned every user.
create index users_realtor_email on users (lower(email)) where role = 'realtor';
