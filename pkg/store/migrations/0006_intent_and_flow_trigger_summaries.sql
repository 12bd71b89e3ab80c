-- The inbound messages with a detected intent, per 15-minute slot and per
-- UTC hour and day (aligned like the message summaries of migrations 3 and
-- 5), and per intent, the contact's platform and the message's language: the
-- dimensions of the intents' counts. A ranking of intents over a month then
-- reads a few thousand rows instead of every inbound message of the month.
--
-- The rows keep only what every metric they answer keeps (package catalog,
-- summaries.go): inbound messages whose intent is not null. The language may
-- be null, as in the messages; the unique keys treat two nulls as the same
-- language, so that a slot has one row per (intent, platform, language).
--
-- Kept exact by their own statement triggers on messages (insert, update,
-- delete and truncate), next to those of migration 3, which they leave alone.
-- The platform is copied from the message's contact, which never changes it.

CREATE TABLE intent_slots (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    slot         timestamptz NOT NULL,
    intent       text NOT NULL,
    platform     text NOT NULL,
    language     text,
    messages     bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (workspace_id, slot, intent, platform, language)
);

CREATE TABLE intent_hours (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    hour         timestamptz NOT NULL,
    intent       text NOT NULL,
    platform     text NOT NULL,
    language     text,
    messages     bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (workspace_id, hour, intent, platform, language)
);

CREATE TABLE intent_days (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    day          timestamptz NOT NULL,
    intent       text NOT NULL,
    platform     text NOT NULL,
    language     text,
    messages     bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (workspace_id, day, intent, platform, language)
);

-- intent_summaries_maintain adds a statement's changed messages (-1 for each
-- row that went, +1 for each that arrived; an update is both, and nets to
-- zero unless it moved a counted column) to the three levels in one
-- statement: the slot deltas are grouped once, from the inbound messages with
-- an intent only, and the hours and days regroup those few rows. Rows written
-- in key order, so that concurrent writers lock them in the same order. A
-- change that removes rows then drops the emptied ones of the units touched.
CREATE FUNCTION intent_summaries_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' AS $fn$
DECLARE
    cols constant text := 'workspace_id, contact_id, created_at, intent, language';
    kept constant text := $k$ WHERE direction = 'inbound' AND intent IS NOT NULL$k$;
    changed text;
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
        ), slots AS (
            INSERT INTO intent_slots AS s (workspace_id, slot, intent, platform, language, messages)
            SELECT * FROM d ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (workspace_id, slot, intent, platform, language) DO UPDATE SET messages = s.messages + EXCLUDED.messages
        ), hours AS (
            INSERT INTO intent_hours AS s (workspace_id, hour, intent, platform, language, messages)
            SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), intent, platform, language, sum(messages)
            FROM d GROUP BY 1, 2, 3, 4, 5 HAVING sum(messages) <> 0 ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (workspace_id, hour, intent, platform, language) DO UPDATE SET messages = s.messages + EXCLUDED.messages
        )
        INSERT INTO intent_days AS s (workspace_id, day, intent, platform, language, messages)
        SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), intent, platform, language, sum(messages)
        FROM d GROUP BY 1, 2, 3, 4, 5 HAVING sum(messages) <> 0 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (workspace_id, day, intent, platform, language) DO UPDATE SET messages = s.messages + EXCLUDED.messages$q$, changed);
    IF TG_OP <> 'INSERT' THEN
        EXECUTE format($q$
            DELETE FROM intent_slots s USING (SELECT DISTINCT workspace_id, date_bin('15 minutes', created_at, timestamptz '2000-01-01 00:00:00+00') AS t FROM (%s) d) k
            WHERE s.workspace_id = k.workspace_id AND s.slot = k.t AND s.messages = 0$q$, changed);
        EXECUTE format($q$
            DELETE FROM intent_hours s USING (SELECT DISTINCT workspace_id, date_bin('1 hour', created_at, timestamptz '2000-01-01 00:00:00+00') AS t FROM (%s) d) k
            WHERE s.workspace_id = k.workspace_id AND s.hour = k.t AND s.messages = 0$q$, changed);
        EXECUTE format($q$
            DELETE FROM intent_days s USING (SELECT DISTINCT workspace_id, date_bin('1 day', created_at, timestamptz '2000-01-01 00:00:00+00') AS t FROM (%s) d) k
            WHERE s.workspace_id = k.workspace_id AND s.day = k.t AND s.messages = 0$q$, changed);
    END IF;
    RETURN NULL;
END
$fn$;

-- DELETE rather than TRUNCATE, as in migration 3: a TRUNCATE ... CASCADE
-- from workspaces is already emptying these, and TRUNCATE refuses a table in use.
CREATE FUNCTION intent_summaries_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM intent_slots;
    DELETE FROM intent_hours;
    DELETE FROM intent_days;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER messages_intent_summaries_insert AFTER INSERT ON messages
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION intent_summaries_maintain();
CREATE TRIGGER messages_intent_summaries_update AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION intent_summaries_maintain();
CREATE TRIGGER messages_intent_summaries_delete AFTER DELETE ON messages
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION intent_summaries_maintain();
CREATE TRIGGER messages_intent_summaries_truncate AFTER TRUNCATE ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION intent_summaries_truncate();

-- Like the summaries' triggers of migration 3, also under session_replication_role = replica.
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_intent_summaries_insert;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_intent_summaries_update;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_intent_summaries_delete;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_intent_summaries_truncate;

-- The messages already there: the slots from the messages, the coarser levels from the slots.
INSERT INTO intent_slots (workspace_id, slot, intent, platform, language, messages)
SELECT m.workspace_id, date_bin('15 minutes', m.created_at, timestamptz '2000-01-01 00:00:00+00'), m.intent, c.platform, m.language, count(*)
FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
WHERE m.direction = 'inbound' AND m.intent IS NOT NULL
GROUP BY 1, 2, 3, 4, 5;
INSERT INTO intent_hours (workspace_id, hour, intent, platform, language, messages)
SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), intent, platform, language, sum(messages)
FROM intent_slots GROUP BY 1, 2, 3, 4, 5;
INSERT INTO intent_days (workspace_id, day, intent, platform, language, messages)
SELECT workspace_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), intent, platform, language, sum(messages)
FROM intent_hours GROUP BY 1, 2, 3, 4, 5;

-- Flow trigger events per 15-minute slot and per UTC hour and day (aligned
-- like the message summaries of migrations 3 and 5), and per flow and the
-- inbox of the trigger's conversation: the dimensions of the flow triggers'
-- counts. The popular flows of a week then read a few thousand rows instead
-- of every trigger of the week.
--
-- A trigger outside a conversation has no inbox: its rows have a null
-- inbox_id, and the unique keys treat two nulls as the same inbox. The inbox
-- is copied from the conversation when the trigger is written: a
-- conversation's inbox is never changed once written (see migration 3).
--
-- Kept exact by their own statement triggers on flow_triggers (insert,
-- update, delete and truncate).

CREATE TABLE flow_trigger_slots (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    slot         timestamptz NOT NULL,
    flow_id      bigint NOT NULL,
    inbox_id     bigint,
    triggers     bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (workspace_id, slot, flow_id, inbox_id)
);

CREATE TABLE flow_trigger_hours (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    hour         timestamptz NOT NULL,
    flow_id      bigint NOT NULL,
    inbox_id     bigint,
    triggers     bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (workspace_id, hour, flow_id, inbox_id)
);

CREATE TABLE flow_trigger_days (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    day          timestamptz NOT NULL,
    flow_id      bigint NOT NULL,
    inbox_id     bigint,
    triggers     bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (workspace_id, day, flow_id, inbox_id)
);

-- flow_trigger_summaries_maintain adds a statement's changed triggers (-1
-- for each row that went, +1 for each that arrived; an update is both) to
-- the three levels in one statement: the slot deltas are grouped once and
-- the hours and days regroup those few rows. Rows are written in key order,
-- so that concurrent writers lock them in the same order. A change that
-- removes rows then drops the emptied ones of the units touched.
CREATE FUNCTION flow_trigger_summaries_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' AS $fn$
DECLARE
    cols constant text := 'workspace_id, flow_id, conversation_id, triggered_at';
    changed text;
BEGIN
    CASE TG_OP
    WHEN 'INSERT' THEN
        changed := format('SELECT %s, 1 AS sign FROM new_rows', cols);
    WHEN 'DELETE' THEN
        changed := format('SELECT %s, -1 AS sign FROM old_rows', cols);
    WHEN 'UPDATE' THEN
        changed := format('SELECT %1$s, -1 AS sign FROM old_rows UNION ALL SELECT %1$s, 1 FROM new_rows', cols);
    END CASE;
    EXECUTE format($q$
        WITH d AS MATERIALIZED (
            SELECT d.workspace_id, date_bin('15 minutes', d.triggered_at, timestamptz '2000-01-01 00:00:00+00') AS slot, d.flow_id, v.inbox_id,
                   sum(d.sign) AS triggers
            FROM (%s) d
            LEFT JOIN conversations v ON v.workspace_id = d.workspace_id AND v.id = d.conversation_id
            GROUP BY 1, 2, 3, 4
            HAVING sum(d.sign) <> 0
        ), slots AS (
            INSERT INTO flow_trigger_slots AS s (workspace_id, slot, flow_id, inbox_id, triggers)
            SELECT * FROM d ORDER BY 1, 2, 3, 4
            ON CONFLICT (workspace_id, slot, flow_id, inbox_id) DO UPDATE SET triggers = s.triggers + EXCLUDED.triggers
        ), hours AS (
            INSERT INTO flow_trigger_hours AS s (workspace_id, hour, flow_id, inbox_id, triggers)
            SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), flow_id, inbox_id, sum(triggers)
            FROM d GROUP BY 1, 2, 3, 4 HAVING sum(triggers) <> 0 ORDER BY 1, 2, 3, 4
            ON CONFLICT (workspace_id, hour, flow_id, inbox_id) DO UPDATE SET triggers = s.triggers + EXCLUDED.triggers
        )
        INSERT INTO flow_trigger_days AS s (workspace_id, day, flow_id, inbox_id, triggers)
        SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), flow_id, inbox_id, sum(triggers)
        FROM d GROUP BY 1, 2, 3, 4 HAVING sum(triggers) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (workspace_id, day, flow_id, inbox_id) DO UPDATE SET triggers = s.triggers + EXCLUDED.triggers$q$, changed);
    IF TG_OP <> 'INSERT' THEN
        EXECUTE format($q$
            DELETE FROM flow_trigger_slots s USING (SELECT DISTINCT workspace_id, date_bin('15 minutes', triggered_at, timestamptz '2000-01-01 00:00:00+00') AS t FROM (%s) d) k
            WHERE s.workspace_id = k.workspace_id AND s.slot = k.t AND s.triggers = 0$q$, changed);
        EXECUTE format($q$
            DELETE FROM flow_trigger_hours s USING (SELECT DISTINCT workspace_id, date_bin('1 hour', triggered_at, timestamptz '2000-01-01 00:00:00+00') AS t FROM (%s) d) k
            WHERE s.workspace_id = k.workspace_id AND s.hour = k.t AND s.triggers = 0$q$, changed);
        EXECUTE format($q$
            DELETE FROM flow_trigger_days s USING (SELECT DISTINCT workspace_id, date_bin('1 day', triggered_at, timestamptz '2000-01-01 00:00:00+00') AS t FROM (%s) d) k
            WHERE s.workspace_id = k.workspace_id AND s.day = k.t AND s.triggers = 0$q$, changed);
    END IF;
    RETURN NULL;
END
$fn$;

-- DELETE rather than TRUNCATE, as in migration 3: a TRUNCATE ... CASCADE
-- from workspaces is already emptying these, and TRUNCATE refuses a table in use.
CREATE FUNCTION flow_trigger_summaries_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM flow_trigger_slots;
    DELETE FROM flow_trigger_hours;
    DELETE FROM flow_trigger_days;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER flow_triggers_summaries_insert AFTER INSERT ON flow_triggers
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION flow_trigger_summaries_maintain();
CREATE TRIGGER flow_triggers_summaries_update AFTER UPDATE ON flow_triggers
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION flow_trigger_summaries_maintain();
CREATE TRIGGER flow_triggers_summaries_delete AFTER DELETE ON flow_triggers
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION flow_trigger_summaries_maintain();
CREATE TRIGGER flow_triggers_summaries_truncate AFTER TRUNCATE ON flow_triggers
    FOR EACH STATEMENT EXECUTE FUNCTION flow_trigger_summaries_truncate();

-- Like the summaries' triggers of migration 3, also under session_replication_role = replica.
ALTER TABLE flow_triggers ENABLE ALWAYS TRIGGER flow_triggers_summaries_insert;
ALTER TABLE flow_triggers ENABLE ALWAYS TRIGGER flow_triggers_summaries_update;
ALTER TABLE flow_triggers ENABLE ALWAYS TRIGGER flow_triggers_summaries_delete;
ALTER TABLE flow_triggers ENABLE ALWAYS TRIGGER flow_triggers_summaries_truncate;

-- The triggers already there: the slots from them, the coarser levels from the slots.
INSERT INTO flow_trigger_slots (workspace_id, slot, flow_id, inbox_id, triggers)
SELECT ft.workspace_id, date_bin('15 minutes', ft.triggered_at, timestamptz '2000-01-01 00:00:00+00'), ft.flow_id, v.inbox_id, count(*)
FROM flow_triggers ft LEFT JOIN conversations v ON v.workspace_id = ft.workspace_id AND v.id = ft.conversation_id
GROUP BY 1, 2, 3, 4;
INSERT INTO flow_trigger_hours (workspace_id, hour, flow_id, inbox_id, triggers)
SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), flow_id, inbox_id, sum(triggers)
FROM flow_trigger_slots GROUP BY 1, 2, 3, 4;
INSERT INTO flow_trigger_days (workspace_id, day, flow_id, inbox_id, triggers)
SELECT workspace_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), flow_id, inbox_id, sum(triggers)
FROM flow_trigger_hours GROUP BY 1, 2, 3, 4;
