-- The inbound messages with a detected intent per unit and intent only: what
-- the intents' ranking reads when it groups and filters by neither the
-- platform nor the language. intent_slots (migration 6) keeps a row per
-- unit for every intent, platform and language that had a message there: a
-- month's ranking of the 25 intents read some 33,000 of them at scale M
-- (900 a day) to return 10 rows, 20 ms against a target of 20. These tables
-- keep the same counts with one row per unit and intent.
--
-- The same trigger statement keeps them as keeps their finer tables:
-- intent_summaries_maintain regroups the slot deltas it already grouped,
-- once more by intent, and the statements that drop emptied rows drop them
-- here too. The function keeps migration 13's jit = off.
--
-- Writers of messages wait for this migration (reads do not): a statement that
-- began before the new function was committed would add its messages to the
-- finer levels only, after the new tables were filled from them. SHARE ROW
-- EXCLUSIVE waits for the transactions that wrote messages to end, so the fill
-- sees what they wrote, and holds the next ones back until the new function is
-- there for them.
LOCK TABLE messages IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE intent_total_slots (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    slot         timestamptz NOT NULL,
    intent       text NOT NULL,
    messages     bigint NOT NULL,
    PRIMARY KEY (workspace_id, slot, intent)
);

CREATE TABLE intent_total_hours (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    hour         timestamptz NOT NULL,
    intent       text NOT NULL,
    messages     bigint NOT NULL,
    PRIMARY KEY (workspace_id, hour, intent)
);

CREATE TABLE intent_total_days (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    day          timestamptz NOT NULL,
    intent       text NOT NULL,
    messages     bigint NOT NULL,
    PRIMARY KEY (workspace_id, day, intent)
);

-- As in migration 6, with the intent-only rows: t regroups d's few slot
-- deltas by intent, and each level of both tables adds its share in key
-- order.
CREATE OR REPLACE FUNCTION intent_summaries_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' SET jit = off AS $fn$
DECLARE
    cols constant text := 'workspace_id, contact_id, created_at, intent, language';
    kept constant text := $k$ WHERE direction = 'inbound' AND intent IS NOT NULL$k$;
    changed text;
    unit record;
BEGIN
    CASE TG_OP
    WHEN 'INSERT' THEN
        changed := format('SELECT %s, 1 AS sign FROM new_rows%s', cols, kept);
    WHEN 'DELETE' THEN
        changed := format('SELECT %s, -1 AS sign FROM old_rows%s', cols, kept);
    WHEN 'UPDATE' THEN
        changed := format('SELECT %1$s, -1 AS sign FROM old_rows%2$s UNION ALL SELECT %1$s, 1 FROM new_rows%2$s', cols, kept);
    END CASE;
    EXECUTE format($q$
        WITH d AS MATERIALIZED (
            SELECT d.workspace_id, date_bin('15 minutes', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS slot, d.intent, c.platform, d.language,
                   sum(d.sign) AS messages
            FROM (%s) d
            JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id
            GROUP BY 1, 2, 3, 4, 5
            HAVING sum(d.sign) <> 0
        ), t AS MATERIALIZED (
            SELECT workspace_id, slot, intent, sum(messages) AS messages
            FROM d GROUP BY 1, 2, 3 HAVING sum(messages) <> 0
        ), slots AS (
            INSERT INTO intent_slots AS s (workspace_id, slot, intent, platform, language, messages)
            SELECT * FROM d ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (workspace_id, slot, intent, platform, language) DO UPDATE SET messages = s.messages + EXCLUDED.messages
        ), hours AS (
            INSERT INTO intent_hours AS s (workspace_id, hour, intent, platform, language, messages)
            SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), intent, platform, language, sum(messages)
            FROM d GROUP BY 1, 2, 3, 4, 5 HAVING sum(messages) <> 0 ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (workspace_id, hour, intent, platform, language) DO UPDATE SET messages = s.messages + EXCLUDED.messages
        ), days AS (
            INSERT INTO intent_days AS s (workspace_id, day, intent, platform, language, messages)
            SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), intent, platform, language, sum(messages)
            FROM d GROUP BY 1, 2, 3, 4, 5 HAVING sum(messages) <> 0 ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (workspace_id, day, intent, platform, language) DO UPDATE SET messages = s.messages + EXCLUDED.messages
        ), total_slots AS (
            INSERT INTO intent_total_slots AS s (workspace_id, slot, intent, messages)
            SELECT * FROM t ORDER BY 1, 2, 3
            ON CONFLICT (workspace_id, slot, intent) DO UPDATE SET messages = s.messages + EXCLUDED.messages
        ), total_hours AS (
            INSERT INTO intent_total_hours AS s (workspace_id, hour, intent, messages)
            SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), intent, sum(messages)
            FROM t GROUP BY 1, 2, 3 HAVING sum(messages) <> 0 ORDER BY 1, 2, 3
            ON CONFLICT (workspace_id, hour, intent) DO UPDATE SET messages = s.messages + EXCLUDED.messages
        )
        INSERT INTO intent_total_days AS s (workspace_id, day, intent, messages)
        SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), intent, sum(messages)
        FROM t GROUP BY 1, 2, 3 HAVING sum(messages) <> 0 ORDER BY 1, 2, 3
        ON CONFLICT (workspace_id, day, intent) DO UPDATE SET messages = s.messages + EXCLUDED.messages$q$, changed);
    IF TG_OP <> 'INSERT' THEN
        FOR unit IN SELECT * FROM (VALUES
            ('intent_slots', 'slot', '15 minutes'), ('intent_hours', 'hour', '1 hour'), ('intent_days', 'day', '1 day'),
            ('intent_total_slots', 'slot', '15 minutes'), ('intent_total_hours', 'hour', '1 hour'), ('intent_total_days', 'day', '1 day')) u (tab, col, grain)
        LOOP
            EXECUTE format($q$
                DELETE FROM %1$I s USING (SELECT DISTINCT workspace_id, date_bin(%3$L, created_at, timestamptz '2000-01-01 00:00:00+00') AS t FROM (%4$s) d) k
                WHERE s.workspace_id = k.workspace_id AND s.%2$I = k.t AND s.messages = 0$q$, unit.tab, unit.col, unit.grain, changed);
        END LOOP;
    END IF;
    RETURN NULL;
END
$fn$;

-- DELETE rather than TRUNCATE, as in migration 6.
CREATE OR REPLACE FUNCTION intent_summaries_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM intent_slots;
    DELETE FROM intent_hours;
    DELETE FROM intent_days;
    DELETE FROM intent_total_slots;
    DELETE FROM intent_total_hours;
    DELETE FROM intent_total_days;
    RETURN NULL;
END
$fn$;

-- The messages already there, from their finer rows.
INSERT INTO intent_total_slots (workspace_id, slot, intent, messages)
SELECT workspace_id, slot, intent, sum(messages) FROM intent_slots GROUP BY 1, 2, 3;
INSERT INTO intent_total_hours (workspace_id, hour, intent, messages)
SELECT workspace_id, hour, intent, sum(messages) FROM intent_hours GROUP BY 1, 2, 3;
INSERT INTO intent_total_days (workspace_id, day, intent, messages)
SELECT workspace_id, day, intent, sum(messages) FROM intent_days GROUP BY 1, 2, 3;
ANALYZE intent_total_slots, intent_total_hours, intent_total_days;
