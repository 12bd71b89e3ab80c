-- The message and conversation sums per platform and inbox (migration 36)
-- also per hour that starts 15, 30 or 45 minutes past a UTC hour. A zone
-- whose offset is not whole hours (Asia/Kolkata, +05:30; Asia/Kathmandu,
-- +05:45) puts every bucket boundary inside a UTC hour: a 3-hour bucket
-- there was two UTC hours and the four slots of each hour its edges split,
-- about 47 rows per inbox family and bucket over 90 days at scale M (67,148
-- rows for the expense per dialogue by inbox, 57 ms). In hours shifted as
-- the zone is, the same bucket is three rows per inbox (about 27).
--
-- shift is the minutes past the UTC hour each row's hour starts at; hour is
-- that start (date_bin with the origin moved by shift). The UTC hours stay
-- in the *_hours tables, and a statement reads one of the two (see
-- docs/schema.md).
--
-- The same statements keep them as keep the tables of migration 36:
-- message_levels_add and conversation_summaries_add regroup the slot deltas
-- once more, into the three shifts. A row emptied by a delete or an update
-- (no message, or no conversation, left in it) is dropped by a trigger on the
-- table itself, as the statements of migrations 15 and 24 drop the other
-- levels' emptied rows.

-- Writers of messages, conversations and assignments wait for this
-- migration, as for migration 36: a statement that began before the new
-- functions were committed would add its rows to the other tables only,
-- after the new ones were filled from them.
LOCK TABLE messages, conversations, assignments IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE message_inbox_shifted_hours (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    shift        smallint NOT NULL CHECK (shift IN (15, 30, 45)),
    hour         timestamptz NOT NULL,
    platform     text NOT NULL,
    inbox_id     bigint NOT NULL,
    messages     bigint NOT NULL,
    ai_cost      numeric NOT NULL,
    billing_cost numeric NOT NULL,
    PRIMARY KEY (workspace_id, shift, hour, platform, inbox_id)
);

CREATE TABLE conversation_inbox_shifted_hours (
    workspace_id  integer NOT NULL REFERENCES workspaces (id),
    shift         smallint NOT NULL CHECK (shift IN (15, 30, 45)),
    hour          timestamptz NOT NULL,
    platform      text NOT NULL,
    inbox_id      bigint NOT NULL,
    conversations bigint NOT NULL,
    messages      bigint NOT NULL,
    replied       bigint NOT NULL,
    obtained      bigint NOT NULL,
    succeeded     bigint NOT NULL,
    transferred   bigint NOT NULL,
    PRIMARY KEY (workspace_id, shift, hour, platform, inbox_id)
);

-- As in migration 36, and the slot deltas regrouped into the shifted hours
-- too.
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

-- As in migration 36, and the slot deltas regrouped into the shifted hours
-- too.
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
    )
    INSERT INTO conversation_days AS s (workspace_id, day, platform, inbox_id, task_id, start_flow_id, %4$s)
    SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, task_id, start_flow_id, %2$s
    FROM d GROUP BY 1, 2, 3, 4, 5, 6
    HAVING %3$s
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (workspace_id, day, platform, inbox_id, task_id, start_flow_id) DO UPDATE SET %5$s$q$, deltas, sums, nonzero, cols, adds);
END
$fn$;

-- A shifted hour emptied by a delete or an update goes, as the other levels'
-- emptied rows go (migrations 15 and 24): no message left in it, or no
-- conversation. Rows are only ever inserted with something in them.
CREATE FUNCTION message_inbox_shifted_hours_drop_emptied() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM message_inbox_shifted_hours s USING (SELECT * FROM updated WHERE messages = 0) u
    WHERE s.workspace_id = u.workspace_id AND s.shift = u.shift AND s.hour = u.hour AND s.platform = u.platform
      AND s.inbox_id = u.inbox_id AND s.messages = 0;
    RETURN NULL;
END
$fn$;

CREATE FUNCTION conversation_inbox_shifted_hours_drop_emptied() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM conversation_inbox_shifted_hours s USING (SELECT * FROM updated WHERE conversations = 0) u
    WHERE s.workspace_id = u.workspace_id AND s.shift = u.shift AND s.hour = u.hour AND s.platform = u.platform
      AND s.inbox_id = u.inbox_id AND s.conversations = 0;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER message_inbox_shifted_hours_drop_emptied AFTER UPDATE ON message_inbox_shifted_hours
    REFERENCING NEW TABLE AS updated FOR EACH STATEMENT EXECUTE FUNCTION message_inbox_shifted_hours_drop_emptied();
CREATE TRIGGER conversation_inbox_shifted_hours_drop_emptied AFTER UPDATE ON conversation_inbox_shifted_hours
    REFERENCING NEW TABLE AS updated FOR EACH STATEMENT EXECUTE FUNCTION conversation_inbox_shifted_hours_drop_emptied();

-- A truncate of the sources, as migrations 8, 16 and 36 answer it for the
-- other levels: without messages the message sums are gone and every
-- conversation has none; without conversations nothing is left; without
-- assignments none was handed to a human.
CREATE FUNCTION inbox_shifted_hours_truncate_messages() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM message_inbox_shifted_hours;
    UPDATE conversation_inbox_shifted_hours SET messages = 0, replied = 0, obtained = 0, succeeded = 0
    WHERE messages <> 0 OR replied <> 0 OR obtained <> 0 OR succeeded <> 0;
    RETURN NULL;
END
$fn$;

CREATE FUNCTION inbox_shifted_hours_truncate_conversations() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM conversation_inbox_shifted_hours;
    RETURN NULL;
END
$fn$;

CREATE FUNCTION inbox_shifted_hours_truncate_assignments() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    UPDATE conversation_inbox_shifted_hours SET transferred = 0 WHERE transferred <> 0;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER messages_inbox_shifted_hours_truncate AFTER TRUNCATE ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION inbox_shifted_hours_truncate_messages();
CREATE TRIGGER conversations_inbox_shifted_hours_truncate AFTER TRUNCATE ON conversations
    FOR EACH STATEMENT EXECUTE FUNCTION inbox_shifted_hours_truncate_conversations();
CREATE TRIGGER assignments_inbox_shifted_hours_truncate AFTER TRUNCATE ON assignments
    FOR EACH STATEMENT EXECUTE FUNCTION inbox_shifted_hours_truncate_assignments();

-- Also under session_replication_role = replica (a bulk load), as the
-- summaries' other triggers.
ALTER TABLE message_inbox_shifted_hours ENABLE ALWAYS TRIGGER message_inbox_shifted_hours_drop_emptied;
ALTER TABLE conversation_inbox_shifted_hours ENABLE ALWAYS TRIGGER conversation_inbox_shifted_hours_drop_emptied;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_inbox_shifted_hours_truncate;
ALTER TABLE conversations ENABLE ALWAYS TRIGGER conversations_inbox_shifted_hours_truncate;
ALTER TABLE assignments ENABLE ALWAYS TRIGGER assignments_inbox_shifted_hours_truncate;

-- The rows already there, from the inbox slots (exact already), in key
-- order: a bucket's rows then lie on neighbouring pages, as the triggers
-- write them.
INSERT INTO message_inbox_shifted_hours (workspace_id, shift, hour, platform, inbox_id, messages, ai_cost, billing_cost)
SELECT s.workspace_id, p.shift, date_bin('1 hour', s.slot, timestamptz '2000-01-01 00:00:00+00' + p.shift * interval '1 minute'),
       s.platform, s.inbox_id, sum(s.messages), sum(s.ai_cost), sum(s.billing_cost)
FROM message_inbox_slots s CROSS JOIN (VALUES (15::smallint), (30::smallint), (45::smallint)) AS p (shift)
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 4, 5;
INSERT INTO conversation_inbox_shifted_hours (workspace_id, shift, hour, platform, inbox_id, conversations, messages, replied, obtained,
                                              succeeded, transferred)
SELECT s.workspace_id, p.shift, date_bin('1 hour', s.slot, timestamptz '2000-01-01 00:00:00+00' + p.shift * interval '1 minute'),
       s.platform, s.inbox_id, sum(s.conversations), sum(s.messages), sum(s.replied), sum(s.obtained), sum(s.succeeded), sum(s.transferred)
FROM conversation_inbox_slots s CROSS JOIN (VALUES (15::smallint), (30::smallint), (45::smallint)) AS p (shift)
GROUP BY 1, 2, 3, 4, 5
ORDER BY 1, 2, 3, 4, 5;

-- Statistics now: the planner would otherwise take the just-filled tables
-- for empty until autovacuum gets round to them.
ANALYZE message_inbox_shifted_hours, conversation_inbox_shifted_hours;
