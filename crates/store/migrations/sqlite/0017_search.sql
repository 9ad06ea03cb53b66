-- Full-text search over message bodies (docs/DESIGN.md, "CRM: search").
-- Keep in step with ../postgres/0017_search.sql: both index the same text
-- (message_search_text there, the expression in the triggers here) and
-- tokenise it the same way (words of letters and digits, lower-cased,
-- accents kept), so a query finds the same messages on both engines.

CREATE VIRTUAL TABLE messages_fts USING fts5(
    body,
    tokenize = 'unicode61 remove_diacritics 0'
);

-- The searchable text of a message's stored content (its WhatsApp JSON).
-- Written out in each trigger: SQLite has no stored functions.
CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages BEGIN
    INSERT INTO messages_fts (rowid, body) VALUES (new.rowid, trim(
        coalesce(json_extract(new.content, '$.text.body'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.image.caption'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.video.caption'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.document.caption'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.document.filename'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.location.name'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.location.address'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.interactive.body.text'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.interactive.button_reply.title'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.interactive.list_reply.title'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.button.text'), '')));
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages BEGIN
    DELETE FROM messages_fts WHERE rowid = old.rowid;
END;

CREATE TRIGGER messages_fts_update AFTER UPDATE OF content ON messages BEGIN
    DELETE FROM messages_fts WHERE rowid = old.rowid;
    INSERT INTO messages_fts (rowid, body) VALUES (new.rowid, trim(
        coalesce(json_extract(new.content, '$.text.body'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.image.caption'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.video.caption'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.document.caption'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.document.filename'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.location.name'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.location.address'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.interactive.body.text'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.interactive.button_reply.title'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.interactive.list_reply.title'), '') || ' ' ||
        coalesce(json_extract(new.content, '$.button.text'), '')));
END;

-- Messages stored before this migration.
INSERT INTO messages_fts (rowid, body)
SELECT rowid, trim(
    coalesce(json_extract(content, '$.text.body'), '') || ' ' ||
    coalesce(json_extract(content, '$.image.caption'), '') || ' ' ||
    coalesce(json_extract(content, '$.video.caption'), '') || ' ' ||
    coalesce(json_extract(content, '$.document.caption'), '') || ' ' ||
    coalesce(json_extract(content, '$.document.filename'), '') || ' ' ||
    coalesce(json_extract(content, '$.location.name'), '') || ' ' ||
    coalesce(json_extract(content, '$.location.address'), '') || ' ' ||
    coalesce(json_extract(content, '$.interactive.body.text'), '') || ' ' ||
    coalesce(json_extract(content, '$.interactive.button_reply.title'), '') || ' ' ||
    coalesce(json_extract(content, '$.interactive.list_reply.title'), '') || ' ' ||
    coalesce(json_extract(content, '$.button.text'), ''))
FROM messages;

-- Private notes, searched the same way.
CREATE VIRTUAL TABLE notes_fts USING fts5(
    body,
    tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TRIGGER notes_fts_insert AFTER INSERT ON notes BEGIN
    INSERT INTO notes_fts (rowid, body) VALUES (new.rowid, new.body);
END;

CREATE TRIGGER notes_fts_delete AFTER DELETE ON notes BEGIN
    DELETE FROM notes_fts WHERE rowid = old.rowid;
END;

CREATE TRIGGER notes_fts_update AFTER UPDATE OF body ON notes BEGIN
    DELETE FROM notes_fts WHERE rowid = old.rowid;
    INSERT INTO notes_fts (rowid, body) VALUES (new.rowid, new.body);
END;

INSERT INTO notes_fts (rowid, body) SELECT rowid, body FROM notes;
