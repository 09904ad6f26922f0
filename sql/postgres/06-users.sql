-- One row per user: devices = how many anonymous ids it has; identified_at = its earliest
-- identify, else its earliest event with its user_id; first_seen_at = its earliest event,
-- anonymous ones included; events = how many stitched events.
CREATE OR REPLACE VIEW threadline_users AS
SELECT s.user_id,
  coalesce(d.devices, 0) AS devices,
  coalesce(s.first_identify, s.first_known) AS identified_at,
  s.first_seen_at,
  s.events
FROM (
  SELECT user_id,
    min("timestamp") FILTER (WHERE phase = 'known' AND type = 'identify') AS first_identify,
    min("timestamp") FILTER (WHERE phase = 'known') AS first_known,
    min("timestamp") AS first_seen_at,
    count(*) AS events
  FROM threadline_stitched_events
  GROUP BY user_id
) AS s
LEFT JOIN (
  SELECT user_id, count(*) AS devices FROM threadline_identity_map GROUP BY user_id
) AS d ON d.user_id = s.user_id;
