-- One query parameter of a URL, read as a browser's URLSearchParams reads it: only for an
-- absolute URL, from the query before any '#', the first occurrence, '+' as a space,
-- percent-escapes decoded as UTF-8; an empty value is NULL. The views use it for utm_*.
CREATE OR REPLACE FUNCTION threadline_url_decode(value text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
  bytes bytea := '';
  i integer := 1;
  n integer := length(value);
  c text;
BEGIN
  WHILE i <= n LOOP
    c := substr(value, i, 1);
    IF c = '%' AND substr(value, i + 1, 2) ~ '^[0-9A-Fa-f]{2}$' THEN
      bytes := bytes || decode(substr(value, i + 1, 2), 'hex');
      i := i + 3;
    ELSE
      bytes := bytes || convert_to(c, 'UTF8');
      i := i + 1;
    END IF;
  END LOOP;
  RETURN convert_from(bytes, 'UTF8');
EXCEPTION WHEN OTHERS THEN
  -- Escapes that are not UTF-8: keep the text as it came rather than fail the query.
  RETURN value;
END
$$;

CREATE OR REPLACE FUNCTION threadline_url_param(url text, key text) RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path FROM CURRENT AS $$
DECLARE
  query text;
  pair text;
BEGIN
  IF url IS NULL OR url !~ '^[A-Za-z][A-Za-z0-9+.-]*:' THEN
    RETURN NULL;
  END IF;
  query := substring(split_part(url, '#', 1) FROM '\?(.*)$');
  IF query IS NULL THEN
    RETURN NULL;
  END IF;
  FOREACH pair IN ARRAY string_to_array(query, '&') LOOP
    IF split_part(pair, '=', 1) = key THEN
      RETURN nullif(threadline_url_decode(replace(substr(pair, length(key) + 2), '+', ' ')), '');
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;
