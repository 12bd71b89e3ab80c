-- The phrase summaries without the platform and the sender: messages per
-- UTC day or hour, phrase and direction. A ranking by phrase with no
-- platform or sender in its grouping or filters (the provisioned popular and
-- client phrases) adds up one or two rows per phrase and unit here, where
-- phrase_days and phrase_hours (migration 9) hold one per platform and
-- sender too: at scale M a month's top 20 client phrases read 38,029 day
-- rows of their 200 candidates there, 5,800 here.
--
-- Each row is the sum of the phrase_days or phrase_hours rows of its unit,
-- phrase and direction over every platform and sender. Statement triggers
-- on those two tables keep them, so they follow every change of the phrase
-- summaries (a message that arrives, is edited, moves or goes) in the same
-- transaction. Rows are keyed by the phrase's SHA-256, as there, and written
-- in key order, so that concurrent writers lock them in the same order. A
-- row whose messages fall to zero goes.

CREATE TABLE phrase_direction_days (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    day          timestamptz NOT NULL,
    phrase_key   bytea NOT NULL,
    direction    text NOT NULL,
    phrase       text NOT NULL,
    messages     bigint NOT NULL,
    PRIMARY KEY (workspace_id, day, phrase_key, direction)
);

CREATE TABLE phrase_direction_hours (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    hour         timestamptz NOT NULL,
    phrase_key   bytea NOT NULL,
    direction    text NOT NULL,
    phrase       text NOT NULL,
    messages     bigint NOT NULL,
    PRIMARY KEY (workspace_id, hour, phrase_key, direction)
);

-- A ranking's candidates' day rows, phrase by phrase, from the index alone
-- (the phrase's text comes from phrase_totals, migration 27).
CREATE INDEX phrase_direction_days_phrase_idx ON phrase_direction_days (workspace_id, phrase_key, day)
    INCLUDE (direction, messages);

-- The change of the rows of target (phrase_direction_days or _hours, by
-- unit: day or hour) from the rows of phrase_days or phrase_hours that
-- changed (a SELECT of their workspace_id, unit, phrase_key, phrase,
-- direction and messages, and the sign of migration 20's
-- statement_changes).
CREATE FUNCTION phrase_direction_statement(target text, unit text, changed text) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
    SELECT format($q$
        INSERT INTO %1$I AS t (workspace_id, %2$I, phrase_key, direction, phrase, messages)
        SELECT d.workspace_id, d.%2$I, d.phrase_key, d.direction, min(d.phrase), sum(d.sign * d.messages)
        FROM (%3$s) d
        GROUP BY d.workspace_id, d.%2$I, d.phrase_key, d.direction
        HAVING sum(d.sign * d.messages) <> 0
        ORDER BY d.workspace_id, d.%2$I, d.phrase_key, d.direction
        ON CONFLICT (workspace_id, %2$I, phrase_key, direction) DO UPDATE SET messages = t.messages + EXCLUDED.messages$q$,
        target, unit, changed)
$fn$;

-- The triggers' function on phrase_days and phrase_hours: their rows that
-- arrived count, those that went count negatively, and an updated row its
-- difference; after rows went or changed, the emptied rows go.
CREATE FUNCTION phrase_direction_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' SET jit = off AS $fn$
DECLARE
    unit constant text := CASE TG_TABLE_NAME WHEN 'phrase_days' THEN 'day' ELSE 'hour' END;
    target constant text := CASE TG_TABLE_NAME WHEN 'phrase_days' THEN 'phrase_direction_days' ELSE 'phrase_direction_hours' END;
    changed constant text := statement_changes(TG_OP, format('workspace_id, %I, phrase_key, phrase, direction, messages', unit), 'true');
BEGIN
    EXECUTE phrase_direction_statement(target, unit, changed);
    IF TG_OP <> 'INSERT' THEN
        EXECUTE format($q$
            DELETE FROM %1$I t USING (SELECT DISTINCT d.workspace_id, d.%2$I, d.phrase_key, d.direction FROM (%3$s) d) k
            WHERE t.workspace_id = k.workspace_id AND t.%2$I = k.%2$I AND t.phrase_key = k.phrase_key
              AND t.direction = k.direction AND t.messages = 0$q$, target, unit, changed);
    END IF;
    RETURN NULL;
END
$fn$;

-- DELETE rather than TRUNCATE, as for the other summaries.
CREATE FUNCTION phrase_direction_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    IF TG_TABLE_NAME = 'phrase_days' THEN
        DELETE FROM phrase_direction_days;
    ELSE
        DELETE FROM phrase_direction_hours;
    END IF;
    RETURN NULL;
END
$fn$;

-- An INSERT ... ON CONFLICT DO UPDATE of migration 9's function fires both
-- the insert trigger (its new rows) and the update trigger (the rows it
-- updated, before and after).
CREATE TRIGGER phrase_days_direction_insert AFTER INSERT ON phrase_days
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION phrase_direction_maintain();
CREATE TRIGGER phrase_days_direction_update AFTER UPDATE ON phrase_days
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION phrase_direction_maintain();
CREATE TRIGGER phrase_days_direction_delete AFTER DELETE ON phrase_days
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION phrase_direction_maintain();
CREATE TRIGGER phrase_days_direction_truncate AFTER TRUNCATE ON phrase_days
    FOR EACH STATEMENT EXECUTE FUNCTION phrase_direction_truncate();
CREATE TRIGGER phrase_hours_direction_insert AFTER INSERT ON phrase_hours
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION phrase_direction_maintain();
CREATE TRIGGER phrase_hours_direction_update AFTER UPDATE ON phrase_hours
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION phrase_direction_maintain();
CREATE TRIGGER phrase_hours_direction_delete AFTER DELETE ON phrase_hours
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION phrase_direction_maintain();
CREATE TRIGGER phrase_hours_direction_truncate AFTER TRUNCATE ON phrase_hours
    FOR EACH STATEMENT EXECUTE FUNCTION phrase_direction_truncate();

-- A bulk load with session_replication_role = replica must still keep them.
ALTER TABLE phrase_days ENABLE ALWAYS TRIGGER phrase_days_direction_insert;
ALTER TABLE phrase_days ENABLE ALWAYS TRIGGER phrase_days_direction_update;
ALTER TABLE phrase_days ENABLE ALWAYS TRIGGER phrase_days_direction_delete;
ALTER TABLE phrase_days ENABLE ALWAYS TRIGGER phrase_days_direction_truncate;
ALTER TABLE phrase_hours ENABLE ALWAYS TRIGGER phrase_hours_direction_insert;
ALTER TABLE phrase_hours ENABLE ALWAYS TRIGGER phrase_hours_direction_update;
ALTER TABLE phrase_hours ENABLE ALWAYS TRIGGER phrase_hours_direction_delete;
ALTER TABLE phrase_hours ENABLE ALWAYS TRIGGER phrase_hours_direction_truncate;

-- The phrases already summarised.
DO $$
BEGIN
    EXECUTE phrase_direction_statement('phrase_direction_days', 'day',
        'SELECT workspace_id, day, phrase_key, phrase, direction, messages, 1 AS sign FROM phrase_days');
    EXECUTE phrase_direction_statement('phrase_direction_hours', 'hour',
        'SELECT workspace_id, hour, phrase_key, phrase, direction, messages, 1 AS sign FROM phrase_hours');
END
$$;
