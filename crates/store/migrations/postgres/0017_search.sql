-- Full-text search over message bodies (docs/DESIGN.md, "CRM: search").
-- Keep in step with ../sqlite/0017_search.sql: both index the same text
-- and tokenise it the same way (the `simple` configuration: words
-- lower-cased, no stemming, accents kept), so a query finds the same
-- messages on both engines.

-- The searchable text of a message's stored content (its WhatsApp JSON).
CREATE FUNCTION message_search_text(content TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT trim(
        coalesce(content::jsonb #>> '{text,body}', '') || ' ' ||
        coalesce(content::jsonb #>> '{image,caption}', '') || ' ' ||
        coalesce(content::jsonb #>> '{video,caption}', '') || ' ' ||
        coalesce(content::jsonb #>> '{document,caption}', '') || ' ' ||
        coalesce(content::jsonb #>> '{document,filename}', '') || ' ' ||
        coalesce(content::jsonb #>> '{location,name}', '') || ' ' ||
        coalesce(content::jsonb #>> '{location,address}', '') || ' ' ||
        coalesce(content::jsonb #>> '{interactive,body,text}', '') || ' ' ||
        coalesce(content::jsonb #>> '{interactive,button_reply,title}', '') || ' ' ||
        coalesce(content::jsonb #>> '{interactive,list_reply,title}', '') || ' ' ||
        coalesce(content::jsonb #>> '{button,text}', ''))
$$;

CREATE INDEX messages_search ON messages
    USING GIN (to_tsvector('simple', message_search_text(content)));

-- Private notes, searched the same way.
CREATE INDEX notes_search ON notes USING GIN (to_tsvector('simple', body));
