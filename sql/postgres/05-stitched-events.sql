-- A user's events: every event with its user_id ('known'), and every event without a
-- user_id from one of its anonymous ids ('anonymous'). A known event of someone else on a
-- shared device stays theirs; an anonymous event of a shared device belongs to each user
-- who signed in on it. History is never rewritten: this is recomputed at query time.
CREATE OR REPLACE VIEW threadline_stitched_events AS
SELECT id, user_id, anonymous_id, type, event, name, "timestamp", 'known'::text AS phase, arrival
FROM threadline_events
WHERE user_id IS NOT NULL
UNION ALL
SELECT e.id, m.user_id, e.anonymous_id, e.type, e.event, e.name, e."timestamp", 'anonymous', e.arrival
FROM threadline_events AS e
JOIN threadline_identity_map AS m ON m.anonymous_id = e.anonymous_id
WHERE e.user_id IS NULL;
