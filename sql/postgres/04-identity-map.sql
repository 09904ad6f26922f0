-- A user's anonymous ids: every anonymous_id seen on an event with that user_id, and every
-- previous_id of an alias to it. Each (user, anonymous id) pair once.
CREATE OR REPLACE VIEW threadline_identity_map AS
SELECT DISTINCT user_id, anonymous_id
FROM (
  SELECT user_id, anonymous_id FROM threadline_events WHERE user_id IS NOT NULL AND anonymous_id IS NOT NULL
  UNION ALL
  SELECT user_id, previous_id FROM aliases WHERE user_id IS NOT NULL AND previous_id IS NOT NULL
) AS links;
