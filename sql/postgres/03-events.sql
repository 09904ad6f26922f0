-- Every event of every table in one shape (a helper for the views below). CREATE OR REPLACE
-- keeps views of your own that read these; a release changes a view only by adding columns.
CREATE OR REPLACE VIEW threadline_events AS
SELECT id, 'identify'::text AS type, user_id, anonymous_id, NULL::text AS event, NULL::text AS name, "timestamp", arrival,
  context_page_url, context_page_referrer, context_campaign_source, context_campaign_medium, context_campaign_name
FROM identifies
UNION ALL
SELECT id, 'track', user_id, anonymous_id, event_text, NULL, "timestamp", arrival,
  context_page_url, context_page_referrer, context_campaign_source, context_campaign_medium, context_campaign_name
FROM tracks
UNION ALL
SELECT id, 'page', user_id, anonymous_id, NULL, name, "timestamp", arrival,
  context_page_url, context_page_referrer, context_campaign_source, context_campaign_medium, context_campaign_name
FROM pages
UNION ALL
SELECT id, 'screen', user_id, anonymous_id, NULL, name, "timestamp", arrival,
  context_page_url, context_page_referrer, context_campaign_source, context_campaign_medium, context_campaign_name
FROM screens
UNION ALL
SELECT id, 'group', user_id, anonymous_id, NULL, NULL, "timestamp", arrival,
  context_page_url, context_page_referrer, context_campaign_source, context_campaign_medium, context_campaign_name
FROM groups
UNION ALL
SELECT id, 'alias', user_id, anonymous_id, NULL, NULL, "timestamp", arrival,
  context_page_url, context_page_referrer, context_campaign_source, context_campaign_medium, context_campaign_name
FROM aliases;
