-- Where each user came from: the campaign of its earliest stitched event (ties: arrival
-- order), each field from context_campaign_*, else the utm_* parameter of the page URL;
-- the referrer of that same event.
CREATE OR REPLACE VIEW threadline_first_touch AS
SELECT f.user_id,
  coalesce(e.context_campaign_source, threadline_url_param(e.context_page_url, 'utm_source')) AS source,
  coalesce(e.context_campaign_medium, threadline_url_param(e.context_page_url, 'utm_medium')) AS medium,
  coalesce(e.context_campaign_name, threadline_url_param(e.context_page_url, 'utm_campaign')) AS campaign,
  e.context_page_referrer AS referrer
FROM (
  SELECT DISTINCT ON (user_id) user_id, id
  FROM threadline_stitched_events
  ORDER BY user_id, "timestamp", arrival, id
) AS f
JOIN threadline_events AS e ON e.id = f.id;
