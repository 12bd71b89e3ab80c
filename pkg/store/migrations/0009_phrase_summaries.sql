-- Messages per normalised phrase, so that the phrase metrics (popular and
-- client phrases) read a few thousand summary rows instead of normalising
-- the text of every message of the range at query time.
--
-- message_phrase is THE normalisation: the plugin's raw queries call it
-- (catalog.Phrase) and the triggers below call it when a message arrives,
-- so the summary and the raw rows cannot disagree on what a phrase is. It is
-- an SQL function with a single expression, which the planner inlines into
-- the query that calls it (no call overhead). Should it ever change, the
-- migration that changes it must rebuild the phrase summaries too.
--
-- The phrase levels are whole UTC hours and days (date_bin from 2000-01-01
-- 00:00 UTC, like the levels of migrations 3 and 5) and are answered exactly
-- as those are (package sqlbuild, summary.go): days, then hours, then the raw
-- messages of the partial hours at the edges of a range. There is no
-- 15-minute level: most slots hold each of their phrases once, so it would be
-- nearly as large as the messages and cost the load as much, while the
-- phrase panels are rankings over whole ranges. A bucket boundary that is not
-- on a UTC hour sends the query to the raw rows.
--
-- Only the messages with a phrase are summarised (the phrase metrics count
-- no empty text). A phrase may be as long as its message, too long for a
-- B-tree key: rows are keyed by the phrase's SHA-256 instead, and keep the
-- phrase itself beside it.

CREATE FUNCTION message_phrase(body text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    -- Lower case, runs of white space as one space, no white space at either
    -- end and no punctuation at the end ("Hello!!  " and "hello" are one
    -- phrase). Which characters are punctuation follows the database's
    -- character classification (ctype).
    RETURN lower(btrim(regexp_replace(regexp_replace(body, '[[:space:]]+', ' ', 'g'), '[[:space:][:punct:]]+$', '')));

COMMENT ON FUNCTION message_phrase(text) IS
    'A message text normalised for counting phrases; the phrase metrics and the phrase summaries both call it';

CREATE TABLE phrase_hours (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    hour         timestamptz NOT NULL,
    platform     text NOT NULL,
    direction    text NOT NULL,
    sender       text NOT NULL,
    phrase_key   bytea NOT NULL, -- sha256 of the phrase's UTF-8
    phrase       text NOT NULL,
    messages     bigint NOT NULL,
    PRIMARY KEY (workspace_id, hour, platform, direction, sender, phrase_key)
);

CREATE TABLE phrase_days (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    day          timestamptz NOT NULL,
    platform     text NOT NULL,
    direction    text NOT NULL,
    sender       text NOT NULL,
    phrase_key   bytea NOT NULL,
    phrase       text NOT NULL,
    messages     bigint NOT NULL,
    PRIMARY KEY (workspace_id, day, platform, direction, sender, phrase_key)
);

-- phrase_levels_statement is the statement that adds the messages of
-- changed (a SELECT of the messages' workspace_id, contact_id, direction,
-- sender, created_at and body, plus sign: 1 for a row that arrived, -1 for
-- one that went) to both levels. The trigger function runs it itself,
-- because only its own statements see the transition tables. The changed
-- messages are grouped once, by hour, in a CTE that both levels read. The
-- normalisation (two regular expressions) is most of the cost, so it runs
-- once per distinct text of the statement, not once per message: chat texts
-- repeat ("hi", "thanks"), and equal texts have equal phrases. Rows are
-- written in key order, so that concurrent writers lock them in the same
-- order.
CREATE FUNCTION phrase_levels_statement(changed text) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
    SELECT format($q$
        WITH g AS (
            SELECT d.workspace_id, date_bin('1 hour', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS hour, c.platform,
                   d.direction, d.sender, p.phrase, sum(d.sign) AS messages
            FROM (%1$s) d
            JOIN (SELECT b.body, message_phrase(b.body) AS phrase FROM (SELECT DISTINCT x.body FROM (%1$s) x) b) p ON p.body = d.body
            JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id
            WHERE p.phrase <> ''
            GROUP BY 1, 2, 3, 4, 5, 6
            HAVING sum(d.sign) <> 0
        ), d AS MATERIALIZED (
            SELECT g.*, sha256(convert_to(g.phrase, 'UTF8')) AS phrase_key FROM g
        ), hours AS (
            INSERT INTO phrase_hours AS s (workspace_id, hour, platform, direction, sender, phrase_key, phrase, messages)
            SELECT workspace_id, hour, platform, direction, sender, phrase_key, phrase, messages
            FROM d ORDER BY 1, 2, 3, 4, 5, 6
            ON CONFLICT (workspace_id, hour, platform, direction, sender, phrase_key) DO UPDATE SET messages = s.messages + EXCLUDED.messages
        )
        INSERT INTO phrase_days AS s (workspace_id, day, platform, direction, sender, phrase_key, phrase, messages)
        SELECT workspace_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), platform, direction, sender, phrase_key,
               min(phrase), sum(messages)
        FROM d GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(messages) <> 0
        ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (workspace_id, day, platform, direction, sender, phrase_key) DO UPDATE SET messages = s.messages + EXCLUDED.messages$q$,
        changed)
$fn$;

-- The triggers' function: the changed messages with their sign. After rows
-- went or changed, the emptied rows of the hours and days concerned go too.
-- It runs as the schema's owner, like the other summaries' triggers; the
-- memory lets a bulk load group its rows in memory rather than on disk.
CREATE FUNCTION phrase_levels_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' AS $fn$
DECLARE
    cols constant text := 'workspace_id, contact_id, direction, sender, created_at, body';
    changed text;
BEGIN
    CASE TG_OP
    WHEN 'INSERT' THEN
        changed := format('SELECT %s, 1 AS sign FROM new_rows', cols);
    WHEN 'DELETE' THEN
        changed := format('SELECT %s, -1 AS sign FROM old_rows', cols);
    WHEN 'UPDATE' THEN
        -- One pass over both: a change that moves nothing (a cost changed) nets to zero.
        changed := format('SELECT %1$s, -1 AS sign FROM old_rows UNION ALL SELECT %1$s, 1 FROM new_rows', cols);
    END CASE;
    EXECUTE phrase_levels_statement(changed);
    IF TG_OP <> 'INSERT' THEN
        EXECUTE format($q$
            DELETE FROM phrase_hours s USING (SELECT DISTINCT d.workspace_id, date_bin('1 hour', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS hour FROM (%s) d) k
            WHERE s.workspace_id = k.workspace_id AND s.hour = k.hour AND s.messages = 0$q$, changed);
        EXECUTE format($q$
            DELETE FROM phrase_days s USING (SELECT DISTINCT d.workspace_id, date_bin('1 day', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS day FROM (%s) d) k
            WHERE s.workspace_id = k.workspace_id AND s.day = k.day AND s.messages = 0$q$, changed);
    END IF;
    RETURN NULL;
END
$fn$;

-- DELETE rather than TRUNCATE, as for the other summaries: a TRUNCATE ...
-- CASCADE from workspaces is already emptying them.
CREATE FUNCTION phrase_levels_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM phrase_hours;
    DELETE FROM phrase_days;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER messages_phrases_insert AFTER INSERT ON messages
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION phrase_levels_maintain();
CREATE TRIGGER messages_phrases_update AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION phrase_levels_maintain();
CREATE TRIGGER messages_phrases_delete AFTER DELETE ON messages
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION phrase_levels_maintain();
CREATE TRIGGER messages_phrases_truncate AFTER TRUNCATE ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION phrase_levels_truncate();

-- A bulk load with session_replication_role = replica must still keep them.
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_phrases_insert;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_phrases_update;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_phrases_delete;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_phrases_truncate;

-- The messages already there.
DO $$
BEGIN
    EXECUTE phrase_levels_statement('SELECT workspace_id, contact_id, direction, sender, created_at, body, 1 AS sign FROM messages');
END
$$;
