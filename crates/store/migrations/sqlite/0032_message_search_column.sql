-- In step with ../postgres/0032_message_search_column.sql, which stores
-- each message's searchable words in a column. Nothing changes here: the
-- FTS5 table (0017_search.sql) stores its words already.
SELECT 1;
