-- One row per user: devices = how many anonymous ids it has; identified_at = its earliest
-- identify, else its earliest event with its user_id; first_seen_at = its earliest event,
-- anonymous ones included; events = how many stitched events.
DROP TABLE IF EXISTS threadline_users;
CREATE VIEW threadline_users AS
SELECT user_id, devices,
  if(identifies > 0, first_identify, first_known) AS identified_at,
  first_seen_at, events
FROM (
  SELECT user_id,
    countIf(phase = 'known' AND type = 'identify') AS identifies,
    minIf(timestamp, phase = 'known' AND type = 'identify') AS first_identify,
    minIf(timestamp, phase = 'known') AS first_known,
    min(timestamp) AS first_seen_at,
    count() AS events
  FROM threadline_stitched_events
  GROUP BY user_id
)
ANY LEFT JOIN (
  SELECT user_id, count() AS devices FROM threadline_identity_map GROUP BY user_id
) USING user_id;
