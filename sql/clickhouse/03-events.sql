-- Every event of every table in one shape (a helper for the views below). 18.16 wants the
-- same types in every branch of a UNION ALL, hence the casts.
DROP TABLE IF EXISTS threadline_events;
CREATE VIEW threadline_events AS
SELECT id, 'identify' AS type, user_id, anonymous_id, CAST(NULL AS Nullable(String)) AS event,
  CAST(NULL AS Nullable(String)) AS name, timestamp, timestamp_ms, arrival,
  context_page_url, context_page_referrer, context_campaign_source, context_campaign_medium, context_campaign_name
FROM identifies
UNION ALL
SELECT id, 'track' AS type, user_id, anonymous_id, event_text AS event, CAST(NULL AS Nullable(String)) AS name,
  timestamp, timestamp_ms, arrival,
  context_page_url, context_page_referrer, context_campaign_source, context_campaign_medium, context_campaign_name
FROM tracks
UNION ALL
SELECT id, 'page' AS type, user_id, anonymous_id, CAST(NULL AS Nullable(String)) AS event, name,
  timestamp, timestamp_ms, arrival,
  context_page_url, context_page_referrer, context_campaign_source, context_campaign_medium, context_campaign_name
FROM pages
UNION ALL
SELECT id, 'screen' AS type, user_id, anonymous_id, CAST(NULL AS Nullable(String)) AS event, name,
  timestamp, timestamp_ms, arrival,
  context_page_url, context_page_referrer, context_campaign_source, context_campaign_medium, context_campaign_name
FROM screens
UNION ALL
SELECT id, 'group' AS type, user_id, anonymous_id, CAST(NULL AS Nullable(String)) AS event,
  CAST(NULL AS Nullable(String)) AS name, timestamp, timestamp_ms, arrival,
  context_page_url, context_page_referrer, context_campaign_source, context_campaign_medium, context_campaign_name
FROM groups
UNION ALL
SELECT id, 'alias' AS type, user_id, anonymous_id, CAST(NULL AS Nullable(String)) AS event,
  CAST(NULL AS Nullable(String)) AS name, timestamp, timestamp_ms, arrival,
  context_page_url, context_page_referrer, context_campaign_source, context_campaign_medium, context_campaign_name
FROM aliases;
