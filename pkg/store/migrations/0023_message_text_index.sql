-- A trigram index on the messages' texts, for the dialogs' "message text
-- contains" filter (message_text: body ILIKE '%text%', ignoring case). Without
-- it the filter probes every message of every conversation of the range: 1.4 s
-- for a month at scale M, where the index finds the few thousand matching
-- messages of the whole store at once.
--
-- pg_trgm ships with PostgreSQL's contrib modules (Debian's postgresql
-- package, the official image, Citus) and is a trusted extension, so the
-- database's owner may create it. Where the server lacks it, or the role may
-- not create it, the store works as before without the index: the filter's
-- SQL is the same either way.

DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN undefined_file OR insufficient_privilege OR feature_not_supported THEN
    RAISE NOTICE 'pg_trgm is not available (%): the message text filter reads the messages without an index', SQLERRM;
END
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        -- On the partitioned table: every partition, present and future, gets its own.
        EXECUTE 'CREATE INDEX messages_body_trgm_idx ON messages USING gin (body gin_trgm_ops)';
    END IF;
END
$$;
