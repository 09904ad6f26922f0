-- A user's anonymous ids: every anonymous_id seen on an event with that user_id, and every
-- previous_id of an alias to it. Each (user, anonymous id) pair once. (Inner names differ
-- from the outer ones because ClickHouse lets an alias shadow a column inside WHERE.)
DROP TABLE IF EXISTS threadline_identity_map;
CREATE VIEW threadline_identity_map AS
SELECT DISTINCT linked_user AS user_id, linked_anonymous AS anonymous_id
FROM (
  SELECT assumeNotNull(user_id) AS linked_user, assumeNotNull(anonymous_id) AS linked_anonymous
  FROM threadline_events
  WHERE isNotNull(user_id) AND isNotNull(anonymous_id)
  UNION ALL
  SELECT assumeNotNull(user_id) AS linked_user, assumeNotNull(previous_id) AS linked_anonymous
  FROM aliases
  WHERE isNotNull(user_id) AND isNotNull(previous_id)
);
