-- Message search keeps each message's searchable words in a stored
-- column (docs/DESIGN.md, "CRM: search"). Matching against the index
-- expression made PostgreSQL compute the words again for every row it
-- checked (parsing the message's JSON eleven times each): a search for a
-- word in every message of 100,000 took seconds. Keep in step with
-- ../sqlite/0032_message_search_column.sql (nothing to change there: the
-- FTS5 table stores its words already).

-- The same text, with the JSON parsed once.
CREATE OR REPLACE FUNCTION message_search_text(content TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT trim(
        coalesce(j #>> '{text,body}', '') || ' ' ||
        coalesce(j #>> '{image,caption}', '') || ' ' ||
        coalesce(j #>> '{video,caption}', '') || ' ' ||
        coalesce(j #>> '{document,caption}', '') || ' ' ||
        coalesce(j #>> '{document,filename}', '') || ' ' ||
        coalesce(j #>> '{location,name}', '') || ' ' ||
        coalesce(j #>> '{location,address}', '') || ' ' ||
        coalesce(j #>> '{interactive,body,text}', '') || ' ' ||
        coalesce(j #>> '{interactive,button_reply,title}', '') || ' ' ||
        coalesce(j #>> '{interactive,list_reply,title}', '') || ' ' ||
        coalesce(j #>> '{button,text}', ''))
    FROM (SELECT content::jsonb AS j) AS parsed
$$;

DROP INDEX messages_search;
ALTER TABLE messages ADD COLUMN search_words tsvector
    GENERATED ALWAYS AS (to_tsvector('simple', message_search_text(content))) STORED;
CREATE INDEX messages_search ON messages USING GIN (search_words);
