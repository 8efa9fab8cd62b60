-- Ticket search (工单检索): fuzzy Chinese full text over title, content and location, and
-- the citizen's name. pg_trgm ships with PostgreSQL (postgresql-contrib; trusted, so the
-- database owner may create it) and with PGlite (loaded in db/database.ts).
--
-- Chinese has no spaces, so pg_trgm's word-padded trigrams (similarity, <%) see a whole
-- clause as one word and hardly ever match a reworded query. Search therefore asks for the
-- query term's own trigrams as substrings (ILIKE '%三个字%'), which this GIN index answers
-- for any term of 3 or more characters; 1–2 character terms have no trigram and are
-- checked row by row (src/shared/tickets/search.ts explains the matching).
-- Needs a database whose LC_CTYPE classifies CJK as letters (C.UTF-8, zh_CN.UTF-8 …; not "C").
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The expression must match ticketSearchText in the tickets service exactly.
CREATE INDEX ticket_search_trgm ON ticket
  USING gin ((title || ' ' || content || ' ' || coalesce(location, '')) gin_trgm_ops);

-- Name search is by prefix (张 / 张三), for users allowed to see the name in full.
CREATE INDEX ticket_citizen_name ON ticket (citizen_name text_pattern_ops) WHERE citizen_name IS NOT NULL;
