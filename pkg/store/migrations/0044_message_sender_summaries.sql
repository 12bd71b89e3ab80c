-- The message sums per direction, sender and billing only: what the metrics
-- that group or filter by the sender and by no other dimension read
-- (messages sent by sender per hour, the messages received or sent in all).
-- message_slots keeps a row per unit for every platform, inbox, task,
-- direction, sender and billing: messages sent by sender per hour over 90
-- days at scale M read 36,422 of its hour rows for 6,480 points, 20 to 30 ms.
-- These tables keep the same sums with one row per unit, direction, sender
-- and billing state: a handful per unit (the contact's inbound messages,
-- and the bot's, agents' and broadcasts' outbound ones, billable or not).
--
-- The same statement keeps them as keeps the finer tables:
-- message_levels_add (migrations 15, 36, 41 and 43) regroups the deltas it
-- already grouped by slot once more, by direction, sender and billing. A
-- conversation whose task or inbox moves changes none of these sums (its
-- deltas cancel out within a slot's group). A row emptied by an update or a
-- delete (no message left in it) is dropped by a trigger on the table
-- itself, as migration 43 drops the task rows'.

-- Writers of messages wait for this migration (reads do not), as for
-- migration 43: a statement that began before the new function was
-- committed would add its rows to the other tables only, after the new ones
-- were filled from them. Conversations are locked too: a task or inbox move
-- rewrites the messages' sums through the same function.
LOCK TABLE messages, conversations IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE message_sender_slots (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    slot         timestamptz NOT NULL,
    direction    text NOT NULL,
    sender       text NOT NULL,
    billable     boolean NOT NULL,
    messages     bigint NOT NULL,
    ai_cost      numeric NOT NULL,
    billing_cost numeric NOT NULL,
    PRIMARY KEY (workspace_id, slot, direction, sender, billable)
);

CREATE TABLE message_sender_hours (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    hour         timestamptz NOT NULL,
    direction    text NOT NULL,
    sender       text NOT NULL,
    billable     boolean NOT NULL,
    messages     bigint NOT NULL,
    ai_cost      numeric NOT NULL,
    billing_cost numeric NOT NULL,
    PRIMARY KEY (workspace_id, hour, direction, sender, billable)
);

CREATE TABLE message_sender_days (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    day          timestamptz NOT NULL,
    direction    text NOT NULL,
    sender       text NOT NULL,
    billable     boolean NOT NULL,
    messages     bigint NOT NULL,
    ai_cost      numeric NOT NULL,
    billing_cost numeric NOT NULL,
    PRIMARY KEY (workspace_id, day, direction, sender, billable)
);

-- As in migration 43, and the slot deltas regrouped by direction, sender and
-- billing too.
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
        ), sender_slots AS (
            INSERT INTO message_sender_slots AS s (workspace_id, slot, direction, sender, billable, messages, ai_cost, billing_cost)
            SELECT workspace_id, slot, direction, sender, billable, sum(messages), sum(ai_cost), sum(billing_cost)
            FROM d GROUP BY 1, 2, 3, 4, 5
            HAVING %3$s
            ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (workspace_id, slot, direction, sender, billable) DO UPDATE SET %2$s
        ), sender_hours AS (
            INSERT INTO message_sender_hours AS s (workspace_id, hour, direction, sender, billable, messages, ai_cost, billing_cost)
            SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), direction, sender, billable,
                   sum(messages), sum(ai_cost), sum(billing_cost)
            FROM d GROUP BY 1, 2, 3, 4, 5
            HAVING %3$s
            ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (workspace_id, hour, direction, sender, billable) DO UPDATE SET %2$s
        ), sender_days AS (
            INSERT INTO message_sender_days AS s (workspace_id, day, direction, sender, billable, messages, ai_cost, billing_cost)
            SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), direction, sender, billable,
                   sum(messages), sum(ai_cost), sum(billing_cost)
            FROM d GROUP BY 1, 2, 3, 4, 5
            HAVING %3$s
            ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (workspace_id, day, direction, sender, billable) DO UPDATE SET %2$s
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

-- A unit's row per direction, sender and billing emptied by an update or a
-- delete goes, as the other levels' emptied rows go: no message left in it.
-- Rows are only ever inserted with something in them. The trigger's
-- argument is the table's time column.
CREATE FUNCTION sender_summaries_drop_emptied() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    EXECUTE format($q$
        DELETE FROM %1$I.%2$I s USING (SELECT * FROM updated WHERE messages = 0) u
        WHERE s.workspace_id = u.workspace_id AND s.%3$I = u.%3$I AND s.direction = u.direction
          AND s.sender = u.sender AND s.billable = u.billable AND s.messages = 0$q$,
        TG_TABLE_SCHEMA, TG_TABLE_NAME, TG_ARGV[0]);
    RETURN NULL;
END
$fn$;

CREATE TRIGGER message_sender_slots_drop_emptied AFTER UPDATE ON message_sender_slots
    REFERENCING NEW TABLE AS updated FOR EACH STATEMENT EXECUTE FUNCTION sender_summaries_drop_emptied('slot');
CREATE TRIGGER message_sender_hours_drop_emptied AFTER UPDATE ON message_sender_hours
    REFERENCING NEW TABLE AS updated FOR EACH STATEMENT EXECUTE FUNCTION sender_summaries_drop_emptied('hour');
CREATE TRIGGER message_sender_days_drop_emptied AFTER UPDATE ON message_sender_days
    REFERENCING NEW TABLE AS updated FOR EACH STATEMENT EXECUTE FUNCTION sender_summaries_drop_emptied('day');

-- A truncate of the messages empties them, as migrations 36, 41 and 43
-- answer it for the other levels.
CREATE FUNCTION sender_summaries_truncate_messages() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM message_sender_slots;
    DELETE FROM message_sender_hours;
    DELETE FROM message_sender_days;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER messages_sender_summaries_truncate AFTER TRUNCATE ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION sender_summaries_truncate_messages();

-- Also under session_replication_role = replica (a bulk load), as the
-- summaries' other triggers.
ALTER TABLE message_sender_slots ENABLE ALWAYS TRIGGER message_sender_slots_drop_emptied;
ALTER TABLE message_sender_hours ENABLE ALWAYS TRIGGER message_sender_hours_drop_emptied;
ALTER TABLE message_sender_days ENABLE ALWAYS TRIGGER message_sender_days_drop_emptied;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_sender_summaries_truncate;

-- The rows already there, from the finer slots (exact already): the slots
-- from their slots, the hours and days from the sender slots, in key order,
-- as the function writes them.
INSERT INTO message_sender_slots (workspace_id, slot, direction, sender, billable, messages, ai_cost, billing_cost)
SELECT workspace_id, slot, direction, sender, billable, sum(messages), sum(ai_cost), sum(billing_cost)
FROM message_slots GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5;
INSERT INTO message_sender_hours (workspace_id, hour, direction, sender, billable, messages, ai_cost, billing_cost)
SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), direction, sender, billable,
       sum(messages), sum(ai_cost), sum(billing_cost)
FROM message_sender_slots GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5;
INSERT INTO message_sender_days (workspace_id, day, direction, sender, billable, messages, ai_cost, billing_cost)
SELECT workspace_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), direction, sender, billable,
       sum(messages), sum(ai_cost), sum(billing_cost)
FROM message_sender_hours GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5;

-- Statistics now: the planner would otherwise take the just-filled tables
-- for empty until autovacuum gets round to them.
ANALYZE message_sender_slots, message_sender_hours, message_sender_days;
