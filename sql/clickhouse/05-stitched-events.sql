-- A user's events: every event with its user_id ('known'), and every event without a
-- user_id from one of its anonymous ids ('anonymous'). A known event of someone else on a
-- shared device stays theirs; an anonymous event of a shared device belongs to each user
-- who signed in on it. History is never rewritten: this is recomputed at query time.
DROP TABLE IF EXISTS threadline_stitched_events;
CREATE VIEW threadline_stitched_events AS
SELECT id, known_user AS user_id, anonymous_id, type, event, name, timestamp, materialize('known') AS phase,
  timestamp_ms, arrival
FROM (
  SELECT id, assumeNotNull(user_id) AS known_user, anonymous_id, type, event, name, timestamp, timestamp_ms, arrival
  FROM threadline_events
  WHERE isNotNull(user_id)
)
UNION ALL
SELECT id, map_user AS user_id, toNullable(device) AS anonymous_id, type, event, name, timestamp,
  materialize('anonymous') AS phase, timestamp_ms, arrival
FROM (
  SELECT id, assumeNotNull(anonymous_id) AS device, type, event, name, timestamp, timestamp_ms, arrival
  FROM threadline_events
  WHERE isNull(user_id) AND isNotNull(anonymous_id)
)
ALL INNER JOIN (
  SELECT user_id AS map_user, anonymous_id AS device FROM threadline_identity_map
) USING device;
