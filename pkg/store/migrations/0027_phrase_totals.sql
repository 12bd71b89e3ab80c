-- Every phrase's messages over all time, so that a phrase ranking adds up
-- only the phrases that can reach its top instead of every phrase of its
-- range: a month at scale M holds 57,537 phrases in 166,000 day and hour
-- rows, hashed at 110 to 290 ms, while its 20 most frequent phrases are all
-- among the 200 most frequent of all time.
--
-- A phrase's total is the sum of its rows of phrase_days (migration 9) over
-- every day, platform and sender: messages counts them all, inbound those
-- the contacts wrote. A range's count of a phrase, whatever its filters,
-- never exceeds its total, which is what lets a ranking stop at the
-- candidates (package sqlbuild, phrase_ranking.go). Statement triggers on
-- phrase_days keep the totals, so they follow every change of the phrase
-- summaries (a message that arrives, is edited, moves or goes) in the same
-- transaction, and hold exactly what the days hold.
--
-- Rows are keyed by the phrase's SHA-256, as in phrase_days, and written in
-- key order, so that concurrent writers lock them in the same order. A
-- phrase whose totals fall to zero loses its row.

CREATE TABLE phrase_totals (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    phrase_key   bytea NOT NULL,
    phrase       text NOT NULL,
    messages     bigint NOT NULL,
    inbound      bigint NOT NULL,
    PRIMARY KEY (workspace_id, phrase_key)
);

-- A ranking's candidates: a workspace's most frequent phrases first.
CREATE INDEX phrase_totals_messages_idx ON phrase_totals (workspace_id, messages DESC, phrase_key);
CREATE INDEX phrase_totals_inbound_idx ON phrase_totals (workspace_id, inbound DESC, phrase_key);

-- The candidates' day rows, phrase by phrase, without the other phrases of
-- the range, read from the index alone: the phrase's text comes from its
-- totals' row (it may be too long for an index entry).
CREATE INDEX phrase_days_phrase_idx ON phrase_days (workspace_id, phrase_key, day)
    INCLUDE (platform, direction, sender, messages);

-- The change of each phrase's totals from the phrase_days rows that changed
-- (a SELECT of their workspace_id, phrase_key, phrase, direction and
-- messages, and the sign of migration 20's statement_changes). A change may
-- leave messages as they were and move inbound (a message's direction
-- edited), so either keeps the row.
CREATE FUNCTION phrase_totals_statement(changed text) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
    SELECT format($q$
        INSERT INTO phrase_totals AS t (workspace_id, phrase_key, phrase, messages, inbound)
        SELECT d.workspace_id, d.phrase_key, min(d.phrase), sum(d.sign * d.messages),
               coalesce(sum(d.sign * d.messages) FILTER (WHERE d.direction = 'inbound'), 0)
        FROM (%s) d
        GROUP BY d.workspace_id, d.phrase_key
        HAVING sum(d.sign * d.messages) <> 0 OR sum(d.sign * d.messages) FILTER (WHERE d.direction = 'inbound') <> 0
        ORDER BY d.workspace_id, d.phrase_key
        ON CONFLICT (workspace_id, phrase_key) DO UPDATE
            SET messages = t.messages + EXCLUDED.messages, inbound = t.inbound + EXCLUDED.inbound$q$,
        changed)
$fn$;

-- The triggers' function on phrase_days: its rows that arrived count, those
-- that went count negatively, and an updated row its difference.
CREATE FUNCTION phrase_totals_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' SET jit = off AS $fn$
DECLARE
    changed constant text := statement_changes(TG_OP, 'workspace_id, phrase_key, phrase, direction, messages', 'true');
BEGIN
    EXECUTE phrase_totals_statement(changed);
    IF TG_OP <> 'INSERT' THEN
        EXECUTE format($q$
            DELETE FROM phrase_totals t USING (SELECT DISTINCT d.workspace_id, d.phrase_key FROM (%s) d) k
            WHERE t.workspace_id = k.workspace_id AND t.phrase_key = k.phrase_key AND t.messages = 0 AND t.inbound = 0$q$, changed);
    END IF;
    RETURN NULL;
END
$fn$;

-- DELETE rather than TRUNCATE, as for the other summaries.
CREATE FUNCTION phrase_totals_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM phrase_totals;
    RETURN NULL;
END
$fn$;

-- An INSERT ... ON CONFLICT DO UPDATE of migration 9's function fires both
-- the insert trigger (its new rows) and the update trigger (the rows it
-- updated, before and after).
CREATE TRIGGER phrase_days_totals_insert AFTER INSERT ON phrase_days
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION phrase_totals_maintain();
CREATE TRIGGER phrase_days_totals_update AFTER UPDATE ON phrase_days
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION phrase_totals_maintain();
CREATE TRIGGER phrase_days_totals_delete AFTER DELETE ON phrase_days
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION phrase_totals_maintain();
CREATE TRIGGER phrase_days_totals_truncate AFTER TRUNCATE ON phrase_days
    FOR EACH STATEMENT EXECUTE FUNCTION phrase_totals_truncate();

-- A bulk load with session_replication_role = replica must still keep them.
ALTER TABLE phrase_days ENABLE ALWAYS TRIGGER phrase_days_totals_insert;
ALTER TABLE phrase_days ENABLE ALWAYS TRIGGER phrase_days_totals_update;
ALTER TABLE phrase_days ENABLE ALWAYS TRIGGER phrase_days_totals_delete;
ALTER TABLE phrase_days ENABLE ALWAYS TRIGGER phrase_days_totals_truncate;

-- The phrases already summarised.
DO $$
BEGIN
    EXECUTE phrase_totals_statement('SELECT workspace_id, phrase_key, phrase, direction, messages, 1 AS sign FROM phrase_days');
END
$$;
