-- Where each user came from: the campaign of its earliest stitched event (ties: arrival
-- order), each field from context_campaign_*, else the utm_* parameter of the page URL as
-- a browser reads it (absolute URLs only, before any '#', '+' as a space, decoded); the
-- referrer of that same event.
DROP TABLE IF EXISTS threadline_first_touch;
CREATE VIEW threadline_first_touch AS
SELECT user_id,
  ifNull(context_campaign_source, utm_source) AS source,
  ifNull(context_campaign_medium, utm_medium) AS medium,
  ifNull(context_campaign_name, utm_campaign) AS campaign,
  context_page_referrer AS referrer
FROM (
  SELECT id, context_campaign_source, context_campaign_medium, context_campaign_name, context_page_referrer,
    if(match(ifNull(context_page_url, ''), '^[A-Za-z][A-Za-z0-9+.-]*:'), splitByChar('#', ifNull(context_page_url, ''))[1], '') AS page_url,
    nullIf(decodeURLComponent(replaceAll(extractURLParameter(page_url, 'utm_source'), '+', ' ')), '') AS utm_source,
    nullIf(decodeURLComponent(replaceAll(extractURLParameter(page_url, 'utm_medium'), '+', ' ')), '') AS utm_medium,
    nullIf(decodeURLComponent(replaceAll(extractURLParameter(page_url, 'utm_campaign'), '+', ' ')), '') AS utm_campaign
  FROM threadline_events
)
ALL INNER JOIN (
  SELECT user_id, argMin(id, tuple(timestamp_ms, arrival, id)) AS id
  FROM threadline_stitched_events
  GROUP BY user_id
) USING id;
