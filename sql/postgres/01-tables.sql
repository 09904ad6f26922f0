-- Segment's warehouse layout: one table per call type, the messageId as primary key (so
-- loading the same events twice adds nothing), context flattened into context_* columns,
-- properties / traits kept as JSON text. Run with search_path set to the target schema.
-- `arrival` is threadline's addition: the event's line in the collector's file, its arrival
-- order, which breaks ties between events with the same timestamp as the collector does.
CREATE TABLE IF NOT EXISTS identifies (
  id text PRIMARY KEY,
  anonymous_id text,
  user_id text,
  "timestamp" timestamptz NOT NULL,
  received_at timestamptz,
  arrival bigint NOT NULL DEFAULT 0,
  context_ip text,
  context_user_agent text,
  context_locale text,
  context_page_url text,
  context_page_path text,
  context_page_referrer text,
  context_page_title text,
  context_campaign_source text,
  context_campaign_medium text,
  context_campaign_name text,
  context_campaign_term text,
  context_campaign_content text,
  context_session_id text,
  context_session_index bigint,
  context_library_name text,
  context_library_version text,
  traits text
);

CREATE TABLE IF NOT EXISTS tracks (LIKE identifies INCLUDING ALL);
ALTER TABLE tracks DROP COLUMN IF EXISTS traits;
ALTER TABLE tracks ADD COLUMN IF NOT EXISTS event text;
ALTER TABLE tracks ADD COLUMN IF NOT EXISTS event_text text;
ALTER TABLE tracks ADD COLUMN IF NOT EXISTS properties text;

CREATE TABLE IF NOT EXISTS pages (LIKE identifies INCLUDING ALL);
ALTER TABLE pages DROP COLUMN IF EXISTS traits;
ALTER TABLE pages ADD COLUMN IF NOT EXISTS name text;
ALTER TABLE pages ADD COLUMN IF NOT EXISTS category text;
ALTER TABLE pages ADD COLUMN IF NOT EXISTS properties text;

CREATE TABLE IF NOT EXISTS screens (LIKE identifies INCLUDING ALL);
ALTER TABLE screens DROP COLUMN IF EXISTS traits;
ALTER TABLE screens ADD COLUMN IF NOT EXISTS name text;
ALTER TABLE screens ADD COLUMN IF NOT EXISTS category text;
ALTER TABLE screens ADD COLUMN IF NOT EXISTS properties text;

CREATE TABLE IF NOT EXISTS groups (LIKE identifies INCLUDING ALL);
ALTER TABLE groups ADD COLUMN IF NOT EXISTS group_id text;

CREATE TABLE IF NOT EXISTS aliases (LIKE identifies INCLUDING ALL);
ALTER TABLE aliases DROP COLUMN IF EXISTS traits;
ALTER TABLE aliases ADD COLUMN IF NOT EXISTS previous_id text;

-- The stitching views join on these.
CREATE INDEX IF NOT EXISTS identifies_user_id ON identifies (user_id);
CREATE INDEX IF NOT EXISTS identifies_anonymous_id ON identifies (anonymous_id);
CREATE INDEX IF NOT EXISTS tracks_user_id ON tracks (user_id);
CREATE INDEX IF NOT EXISTS tracks_anonymous_id ON tracks (anonymous_id);
CREATE INDEX IF NOT EXISTS pages_user_id ON pages (user_id);
CREATE INDEX IF NOT EXISTS pages_anonymous_id ON pages (anonymous_id);
CREATE INDEX IF NOT EXISTS screens_user_id ON screens (user_id);
CREATE INDEX IF NOT EXISTS screens_anonymous_id ON screens (anonymous_id);
CREATE INDEX IF NOT EXISTS groups_user_id ON groups (user_id);
CREATE INDEX IF NOT EXISTS groups_anonymous_id ON groups (anonymous_id);
CREATE INDEX IF NOT EXISTS aliases_user_id ON aliases (user_id);
CREATE INDEX IF NOT EXISTS aliases_anonymous_id ON aliases (anonymous_id);
