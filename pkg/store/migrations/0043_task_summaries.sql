-- The message and conversation summaries per task only: what the metrics
-- that group or filter by the task and by no other dimension read (the
-- campaign's panels: its chats, replies, contacts obtained, successes and AI
-- expense, for one campaign). conversation_slots keeps a row per unit for
-- every platform, inbox, task and start flow, message_slots one for every
-- platform, inbox, task, direction, sender and billing: over the 31 days of a
-- campaign view at scale M, its conversation totals read 4,545 rows (about
-- 100 per day) to keep the 589 of one task, 2 ms a panel, and its AI expense
-- 1,635 message rows. These tables keep the same sums with one row per unit
-- and task: for the conversations, 313 days, 7,236 hours and 27,887 slots
-- over the 92 days at scale M, against 13,891, 146,617 and 322,986 in the
-- finer tables; for the messages, 320, 7,416 and 28,870 against 4,435, 88,258
-- and 298,040. A conversation without a task (and its messages) has a row of
-- its own (task_id null), as in the finer tables.
--
-- The same statements keep them as keep the finer tables:
-- message_levels_add (migrations 15, 36 and 41) and conversation_summaries_add
-- (migrations 24, 36 and 41) regroup the deltas they already grouped by slot,
-- once more by task; a conversation whose task moves moves its messages'
-- sums too (migration 15). A row emptied by an update or a delete (no
-- message, or no conversation, left in it) is dropped by a trigger on the
-- table itself, as migration 41 drops the shifted hours'.

-- Writers of messages, conversations and assignments wait for this migration
-- (reads do not), as for migrations 36 and 41: a statement that began before
-- the new function was committed would add its rows to the other tables only,
-- after the new ones were filled from them.
LOCK TABLE messages, conversations, assignments IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE message_task_slots (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    slot         timestamptz NOT NULL,
    task_id      bigint,
    messages     bigint NOT NULL,
    ai_cost      numeric NOT NULL,
    billing_cost numeric NOT NULL,
    UNIQUE NULLS NOT DISTINCT (workspace_id, slot, task_id)
);

CREATE TABLE message_task_hours (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    hour         timestamptz NOT NULL,
    task_id      bigint,
    messages     bigint NOT NULL,
    ai_cost      numeric NOT NULL,
    billing_cost numeric NOT NULL,
    UNIQUE NULLS NOT DISTINCT (workspace_id, hour, task_id)
);

CREATE TABLE message_task_days (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    day          timestamptz NOT NULL,
    task_id      bigint,
    messages     bigint NOT NULL,
    ai_cost      numeric NOT NULL,
    billing_cost numeric NOT NULL,
    UNIQUE NULLS NOT DISTINCT (workspace_id, day, task_id)
);

CREATE TABLE conversation_task_slots (
    workspace_id  integer NOT NULL REFERENCES workspaces (id),
    slot          timestamptz NOT NULL,
    task_id       bigint,
    conversations bigint NOT NULL,
    messages      bigint NOT NULL,
    replied       bigint NOT NULL,
    obtained      bigint NOT NULL,
    succeeded     bigint NOT NULL,
    transferred   bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (workspace_id, slot, task_id)
);

CREATE TABLE conversation_task_hours (
    workspace_id  integer NOT NULL REFERENCES workspaces (id),
    hour          timestamptz NOT NULL,
    task_id       bigint,
    conversations bigint NOT NULL,
    messages      bigint NOT NULL,
    replied       bigint NOT NULL,
    obtained      bigint NOT NULL,
    succeeded     bigint NOT NULL,
    transferred   bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (workspace_id, hour, task_id)
);

CREATE TABLE conversation_task_days (
    workspace_id  integer NOT NULL REFERENCES workspaces (id),
    day           timestamptz NOT NULL,
    task_id       bigint,
    conversations bigint NOT NULL,
    messages      bigint NOT NULL,
    replied       bigint NOT NULL,
    obtained      bigint NOT NULL,
    succeeded     bigint NOT NULL,
    transferred   bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (workspace_id, day, task_id)
);

-- As in migration 41, and the slot deltas regrouped by task too.
CREATE OR REPLACE FUNCTION message_levels_add(deltas text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $fn$
DECLARE
    adds constant text := 'messages = s.messages + EXCLUDED.messages, ai_cost = s.ai_cost + EXCLUDED.ai_cost,'
        ' billing_cost = s.billing_cost + EXCLUDED.billing_cost';
    nonzero constant text := 'sum(messages) <> 0 OR sum(ai_cost) <> 0 OR sum(billing_cost) <> 0';
BEGIN
    RETURN format($q$
        WITH d AS MATERIALIZED (
            SELECT * FROM (%1$s) d WHERE d.messages <> 0 OR d.ai_cost <> 0 OR d.billing_cost <> 0
        ), slots AS (
            INSERT INTO message_slots AS s (workspace_id, slot, platform, inbox_id, direction, sender, billable, messages, ai_cost, billing_cost, task_id)
            SELECT * FROM d ORDER BY 1, 2, 3, 4, 11, 5, 6, 7
            ON CONFLICT (workspace_id, slot, platform, inbox_id, task_id, direction, sender, billable) DO UPDATE SET %2$s
        ), hours AS (
            INSERT INTO message_hours AS s (workspace_id, hour, platform, inbox_id, direction, sender, billable, messages, ai_cost, billing_cost, task_id)
            SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, direction, sender, billable,
                   sum(messages), sum(ai_cost), sum(billing_cost), task_id
            FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7, 11
            HAVING %3$s
            ORDER BY 1, 2, 3, 4, 11, 5, 6, 7
            ON CONFLICT (workspace_id, hour, platform, inbox_id, task_id, direction, sender, billable) DO UPDATE SET %2$s
        ), inbox_slots AS (
            INSERT INTO message_inbox_slots AS s (workspace_id, slot, platform, inbox_id, messages, ai_cost, billing_cost)
            SELECT workspace_id, slot, platform, inbox_id, sum(messages), sum(ai_cost), sum(billing_cost)
            FROM d GROUP BY 1, 2, 3, 4
            HAVING %3$s
            ORDER BY 1, 2, 3, 4
            ON CONFLICT (workspace_id, slot, platform, inbox_id) DO UPDATE SET %2$s
        ), inbox_hours AS (
            INSERT INTO message_inbox_hours AS s (workspace_id, hour, platform, inbox_id, messages, ai_cost, billing_cost)
            SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id,
                   sum(messages), sum(ai_cost), sum(billing_cost)
            FROM d GROUP BY 1, 2, 3, 4
            HAVING %3$s
            ORDER BY 1, 2, 3, 4
            ON CONFLICT (workspace_id, hour, platform, inbox_id) DO UPDATE SET %2$s
        ), inbox_days AS (
            INSERT INTO message_inbox_days AS s (workspace_id, day, platform, inbox_id, messages, ai_cost, billing_cost)
            SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id,
                   sum(messages), sum(ai_cost), sum(billing_cost)
            FROM d GROUP BY 1, 2, 3, 4
            HAVING %3$s
            ORDER BY 1, 2, 3, 4
            ON CONFLICT (workspace_id, day, platform, inbox_id) DO UPDATE SET %2$s
        ), inbox_shifted_hours AS (
            INSERT INTO message_inbox_shifted_hours AS s (workspace_id, shift, hour, platform, inbox_id, messages, ai_cost, billing_cost)
            SELECT d.workspace_id, p.shift, date_bin('1 hour', d.slot, timestamptz '2000-01-01 00:00:00+00' + p.shift * interval '1 minute'),
                   d.platform, d.inbox_id, sum(messages), sum(ai_cost), sum(billing_cost)
            FROM d CROSS JOIN (VALUES (15::smallint), (30::smallint), (45::smallint)) AS p (shift)
            GROUP BY 1, 2, 3, 4, 5
            HAVING %3$s
            ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (workspace_id, shift, hour, platform, inbox_id) DO UPDATE SET %2$s
        ), task_slots AS (
            INSERT INTO message_task_slots AS s (workspace_id, slot, task_id, messages, ai_cost, billing_cost)
            SELECT workspace_id, slot, task_id, sum(messages), sum(ai_cost), sum(billing_cost)
            FROM d GROUP BY 1, 2, 3
            HAVING %3$s
            ORDER BY 1, 2, 3
            ON CONFLICT (workspace_id, slot, task_id) DO UPDATE SET %2$s
        ), task_hours AS (
            INSERT INTO message_task_hours AS s (workspace_id, hour, task_id, messages, ai_cost, billing_cost)
            SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), task_id, sum(messages), sum(ai_cost), sum(billing_cost)
            FROM d GROUP BY 1, 2, 3
            HAVING %3$s
            ORDER BY 1, 2, 3
            ON CONFLICT (workspace_id, hour, task_id) DO UPDATE SET %2$s
        ), task_days AS (
            INSERT INTO message_task_days AS s (workspace_id, day, task_id, messages, ai_cost, billing_cost)
            SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), task_id, sum(messages), sum(ai_cost), sum(billing_cost)
            FROM d GROUP BY 1, 2, 3
            HAVING %3$s
            ORDER BY 1, 2, 3
            ON CONFLICT (workspace_id, day, task_id) DO UPDATE SET %2$s
        )
        INSERT INTO message_days AS s (workspace_id, day, platform, inbox_id, direction, sender, billable, messages, ai_cost, billing_cost, task_id)
        SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, direction, sender, billable,
               sum(messages), sum(ai_cost), sum(billing_cost), task_id
        FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7, 11
        HAVING %3$s
        ORDER BY 1, 2, 3, 4, 11, 5, 6, 7
        ON CONFLICT (workspace_id, day, platform, inbox_id, task_id, direction, sender, billable) DO UPDATE SET %2$s$q$, deltas, adds, nonzero);
END
$fn$;

CREATE OR REPLACE FUNCTION conversation_summaries_add(deltas text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $fn$
DECLARE
    sums constant text := 'sum(conversations), sum(messages), sum(replied), sum(obtained), sum(succeeded), sum(transferred)';
    nonzero constant text := 'sum(conversations) <> 0 OR sum(messages) <> 0 OR sum(replied) <> 0 OR sum(obtained) <> 0'
        ' OR sum(succeeded) <> 0 OR sum(transferred) <> 0';
    cols constant text := 'conversations, messages, replied, obtained, succeeded, transferred';
    adds constant text := 'conversations = s.conversations + EXCLUDED.conversations, messages = s.messages + EXCLUDED.messages,'
        ' replied = s.replied + EXCLUDED.replied, obtained = s.obtained + EXCLUDED.obtained,'
        ' succeeded = s.succeeded + EXCLUDED.succeeded, transferred = s.transferred + EXCLUDED.transferred';
BEGIN
    RETURN format($q$
    WITH d AS MATERIALIZED (
        SELECT d.workspace_id, date_bin('15 minutes', d.started_at, timestamptz '2000-01-01 00:00:00+00') AS slot, d.platform, d.inbox_id,
               d.task_id, d.start_flow_id, sum(d.conversations) AS conversations, sum(d.messages) AS messages,
               sum(d.replied) AS replied, sum(d.obtained) AS obtained, sum(d.succeeded) AS succeeded, sum(d.transferred) AS transferred
        FROM (%1$s) d
        GROUP BY 1, 2, 3, 4, 5, 6
        HAVING %3$s
    ), slots AS (
        INSERT INTO conversation_slots AS s (workspace_id, slot, platform, inbox_id, task_id, start_flow_id, %4$s)
        SELECT * FROM d ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (workspace_id, slot, platform, inbox_id, task_id, start_flow_id) DO UPDATE SET %5$s
    ), hours AS (
        INSERT INTO conversation_hours AS s (workspace_id, hour, platform, inbox_id, task_id, start_flow_id, %4$s)
        SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, task_id, start_flow_id, %2$s
        FROM d GROUP BY 1, 2, 3, 4, 5, 6
        HAVING %3$s
        ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (workspace_id, hour, platform, inbox_id, task_id, start_flow_id) DO UPDATE SET %5$s
    ), inbox_slots AS (
        INSERT INTO conversation_inbox_slots AS s (workspace_id, slot, platform, inbox_id, %4$s)
        SELECT workspace_id, slot, platform, inbox_id, %2$s
        FROM d GROUP BY 1, 2, 3, 4
        HAVING %3$s
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (workspace_id, slot, platform, inbox_id) DO UPDATE SET %5$s
    ), inbox_hours AS (
        INSERT INTO conversation_inbox_hours AS s (workspace_id, hour, platform, inbox_id, %4$s)
        SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, %2$s
        FROM d GROUP BY 1, 2, 3, 4
        HAVING %3$s
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (workspace_id, hour, platform, inbox_id) DO UPDATE SET %5$s
    ), inbox_days AS (
        INSERT INTO conversation_inbox_days AS s (workspace_id, day, platform, inbox_id, %4$s)
        SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, %2$s
        FROM d GROUP BY 1, 2, 3, 4
        HAVING %3$s
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (workspace_id, day, platform, inbox_id) DO UPDATE SET %5$s
    ), inbox_shifted_hours AS (
        INSERT INTO conversation_inbox_shifted_hours AS s (workspace_id, shift, hour, platform, inbox_id, %4$s)
        SELECT d.workspace_id, p.shift, date_bin('1 hour', d.slot, timestamptz '2000-01-01 00:00:00+00' + p.shift * interval '1 minute'),
               d.platform, d.inbox_id, %2$s
        FROM d CROSS JOIN (VALUES (15::smallint), (30::smallint), (45::smallint)) AS p (shift)
        GROUP BY 1, 2, 3, 4, 5
        HAVING %3$s
        ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (workspace_id, shift, hour, platform, inbox_id) DO UPDATE SET %5$s
    ), task_slots AS (
        INSERT INTO conversation_task_slots AS s (workspace_id, slot, task_id, %4$s)
        SELECT workspace_id, slot, task_id, %2$s
        FROM d GROUP BY 1, 2, 3
        HAVING %3$s
        ORDER BY 1, 2, 3
        ON CONFLICT (workspace_id, slot, task_id) DO UPDATE SET %5$s
    ), task_hours AS (
        INSERT INTO conversation_task_hours AS s (workspace_id, hour, task_id, %4$s)
        SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), task_id, %2$s
        FROM d GROUP BY 1, 2, 3
        HAVING %3$s
        ORDER BY 1, 2, 3
        ON CONFLICT (workspace_id, hour, task_id) DO UPDATE SET %5$s
    ), task_days AS (
        INSERT INTO conversation_task_days AS s (workspace_id, day, task_id, %4$s)
        SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), task_id, %2$s
        FROM d GROUP BY 1, 2, 3
        HAVING %3$s
        ORDER BY 1, 2, 3
        ON CONFLICT (workspace_id, day, task_id) DO UPDATE SET %5$s
    )
    INSERT INTO conversation_days AS s (workspace_id, day, platform, inbox_id, task_id, start_flow_id, %4$s)
    SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, task_id, start_flow_id, %2$s
    FROM d GROUP BY 1, 2, 3, 4, 5, 6
    HAVING %3$s
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (workspace_id, day, platform, inbox_id, task_id, start_flow_id) DO UPDATE SET %5$s$q$, deltas, sums, nonzero, cols, adds);
END
$fn$;

-- A unit's row per task emptied by an update or a delete goes, as the other
-- levels' emptied rows go: no message left in it, or no conversation. Rows
-- are only ever inserted with something in them. The trigger's arguments
-- are the table's time column and the count that empties a row.
CREATE FUNCTION task_summaries_drop_emptied() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    EXECUTE format($q$
        DELETE FROM %1$I.%2$I s USING (SELECT * FROM updated WHERE %4$I = 0) u
        WHERE s.workspace_id = u.workspace_id AND s.%3$I = u.%3$I AND s.task_id IS NOT DISTINCT FROM u.task_id
          AND s.%4$I = 0$q$, TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0], TG_ARGV[1]);
    RETURN NULL;
END
$fn$;

CREATE TRIGGER message_task_slots_drop_emptied AFTER UPDATE ON message_task_slots
    REFERENCING NEW TABLE AS updated FOR EACH STATEMENT EXECUTE FUNCTION task_summaries_drop_emptied('slot', 'messages');
CREATE TRIGGER message_task_hours_drop_emptied AFTER UPDATE ON message_task_hours
    REFERENCING NEW TABLE AS updated FOR EACH STATEMENT EXECUTE FUNCTION task_summaries_drop_emptied('hour', 'messages');
CREATE TRIGGER message_task_days_drop_emptied AFTER UPDATE ON message_task_days
    REFERENCING NEW TABLE AS updated FOR EACH STATEMENT EXECUTE FUNCTION task_summaries_drop_emptied('day', 'messages');
CREATE TRIGGER conversation_task_slots_drop_emptied AFTER UPDATE ON conversation_task_slots
    REFERENCING NEW TABLE AS updated FOR EACH STATEMENT EXECUTE FUNCTION task_summaries_drop_emptied('slot', 'conversations');
CREATE TRIGGER conversation_task_hours_drop_emptied AFTER UPDATE ON conversation_task_hours
    REFERENCING NEW TABLE AS updated FOR EACH STATEMENT EXECUTE FUNCTION task_summaries_drop_emptied('hour', 'conversations');
CREATE TRIGGER conversation_task_days_drop_emptied AFTER UPDATE ON conversation_task_days
    REFERENCING NEW TABLE AS updated FOR EACH STATEMENT EXECUTE FUNCTION task_summaries_drop_emptied('day', 'conversations');

-- A truncate of the sources, as migrations 36 and 41 answer it for the
-- other levels: without messages the message sums are gone and every
-- conversation has none (and no reply); without conversations nothing is
-- left; without assignments none was handed to a human.
CREATE FUNCTION task_summaries_truncate_messages() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
DECLARE
    tab text;
BEGIN
    DELETE FROM message_task_slots;
    DELETE FROM message_task_hours;
    DELETE FROM message_task_days;
    FOREACH tab IN ARRAY ARRAY['conversation_task_slots', 'conversation_task_hours', 'conversation_task_days'] LOOP
        EXECUTE format('UPDATE %I SET messages = 0, replied = 0, obtained = 0, succeeded = 0'
            ' WHERE messages <> 0 OR replied <> 0 OR obtained <> 0 OR succeeded <> 0', tab);
    END LOOP;
    RETURN NULL;
END
$fn$;

CREATE FUNCTION task_summaries_truncate_conversations() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM conversation_task_slots;
    DELETE FROM conversation_task_hours;
    DELETE FROM conversation_task_days;
    RETURN NULL;
END
$fn$;

CREATE FUNCTION task_summaries_truncate_assignments() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
DECLARE
    tab text;
BEGIN
    FOREACH tab IN ARRAY ARRAY['conversation_task_slots', 'conversation_task_hours', 'conversation_task_days'] LOOP
        EXECUTE format('UPDATE %I SET transferred = 0 WHERE transferred <> 0', tab);
    END LOOP;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER messages_task_summaries_truncate AFTER TRUNCATE ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION task_summaries_truncate_messages();
CREATE TRIGGER conversations_task_summaries_truncate AFTER TRUNCATE ON conversations
    FOR EACH STATEMENT EXECUTE FUNCTION task_summaries_truncate_conversations();
CREATE TRIGGER assignments_task_summaries_truncate AFTER TRUNCATE ON assignments
    FOR EACH STATEMENT EXECUTE FUNCTION task_summaries_truncate_assignments();

-- Also under session_replication_role = replica (a bulk load), as the
-- summaries' other triggers.
ALTER TABLE message_task_slots ENABLE ALWAYS TRIGGER message_task_slots_drop_emptied;
ALTER TABLE message_task_hours ENABLE ALWAYS TRIGGER message_task_hours_drop_emptied;
ALTER TABLE message_task_days ENABLE ALWAYS TRIGGER message_task_days_drop_emptied;
ALTER TABLE conversation_task_slots ENABLE ALWAYS TRIGGER conversation_task_slots_drop_emptied;
ALTER TABLE conversation_task_hours ENABLE ALWAYS TRIGGER conversation_task_hours_drop_emptied;
ALTER TABLE conversation_task_days ENABLE ALWAYS TRIGGER conversation_task_days_drop_emptied;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_task_summaries_truncate;
ALTER TABLE conversations ENABLE ALWAYS TRIGGER conversations_task_summaries_truncate;
ALTER TABLE assignments ENABLE ALWAYS TRIGGER assignments_task_summaries_truncate;

-- The rows already there, from the finer slots (exact already): the slots
-- from their slots, the hours and days from the task slots, in key order, as
-- the triggers write them.
INSERT INTO message_task_slots (workspace_id, slot, task_id, messages, ai_cost, billing_cost)
SELECT workspace_id, slot, task_id, sum(messages), sum(ai_cost), sum(billing_cost)
FROM message_slots GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
INSERT INTO message_task_hours (workspace_id, hour, task_id, messages, ai_cost, billing_cost)
SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), task_id, sum(messages), sum(ai_cost), sum(billing_cost)
FROM message_task_slots GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
INSERT INTO message_task_days (workspace_id, day, task_id, messages, ai_cost, billing_cost)
SELECT workspace_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), task_id, sum(messages), sum(ai_cost), sum(billing_cost)
FROM message_task_hours GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
INSERT INTO conversation_task_slots (workspace_id, slot, task_id, conversations, messages, replied, obtained, succeeded, transferred)
SELECT workspace_id, slot, task_id, sum(conversations), sum(messages), sum(replied), sum(obtained), sum(succeeded), sum(transferred)
FROM conversation_slots GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
INSERT INTO conversation_task_hours (workspace_id, hour, task_id, conversations, messages, replied, obtained, succeeded, transferred)
SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), task_id,
       sum(conversations), sum(messages), sum(replied), sum(obtained), sum(succeeded), sum(transferred)
FROM conversation_task_slots GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;
INSERT INTO conversation_task_days (workspace_id, day, task_id, conversations, messages, replied, obtained, succeeded, transferred)
SELECT workspace_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), task_id,
       sum(conversations), sum(messages), sum(replied), sum(obtained), sum(succeeded), sum(transferred)
FROM conversation_task_hours GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

-- Statistics now: the planner would otherwise take the just-filled tables
-- for empty until autovacuum gets round to them.
ANALYZE message_task_slots, message_task_hours, message_task_days,
    conversation_task_slots, conversation_task_hours, conversation_task_days;
