-- The message summaries by task: a message's task is its conversation's
-- (as the raw rows join it), so the campaign's AI expense and billed costs
-- per task read a few rows per day instead of every message of the range
-- joined to its conversation.
--
-- message_slots, message_hours and message_days gain the column task_id
-- (null for a conversation without a task), and with it their key, unique
-- with NULLS NOT DISTINCT as for the conversation summaries (two nulls are
-- one group). The messages' triggers copy the task of the conversation as
-- it stands when a message arrives; unlike its inbox, a conversation's task
-- may change later: a trigger on conversations then moves its messages from
-- the old task's rows to the new one's (one probe of the messages'
-- conversation index per moved conversation). As for migration 8, change a
-- conversation's task when its messages are in, not while another
-- transaction adds messages to it (each trigger sees the other's rows only
-- once committed).

DELETE FROM message_days;
DELETE FROM message_hours;
DELETE FROM message_slots;
ALTER TABLE message_slots DROP CONSTRAINT message_slots_pkey, ADD COLUMN task_id bigint,
    ADD CONSTRAINT message_slots_key UNIQUE NULLS NOT DISTINCT (workspace_id, slot, platform, inbox_id, task_id, direction, sender, billable);
ALTER TABLE message_hours DROP CONSTRAINT message_hours_pkey, ADD COLUMN task_id bigint,
    ADD CONSTRAINT message_hours_key UNIQUE NULLS NOT DISTINCT (workspace_id, hour, platform, inbox_id, task_id, direction, sender, billable);
ALTER TABLE message_days DROP CONSTRAINT message_days_pkey, ADD COLUMN task_id bigint,
    ADD CONSTRAINT message_days_key UNIQUE NULLS NOT DISTINCT (workspace_id, day, platform, inbox_id, task_id, direction, sender, billable);

-- message_levels_add is the statement that adds slot deltas (a SELECT of
-- workspace_id, slot, platform, inbox_id, direction, sender, billable,
-- messages, ai_cost, billing_cost, task_id, one row per key) to the three
-- levels: the slots as they are, the (few) slot deltas regrouped by hour and
-- day. Ordered by key, so that concurrent writers lock summary rows in the
-- same order (the statement writes days, then slots, then hours: the main
-- query first, then its unread CTEs in order).
CREATE FUNCTION message_levels_add(deltas text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
    RETURN format($q$
        WITH d AS MATERIALIZED (
            SELECT * FROM (%s) d WHERE d.messages <> 0 OR d.ai_cost <> 0 OR d.billing_cost <> 0
        ), slots AS (
            INSERT INTO message_slots AS s (workspace_id, slot, platform, inbox_id, direction, sender, billable, messages, ai_cost, billing_cost, task_id)
            SELECT * FROM d ORDER BY 1, 2, 3, 4, 11, 5, 6, 7
            ON CONFLICT (workspace_id, slot, platform, inbox_id, task_id, direction, sender, billable) DO UPDATE
            SET messages = s.messages + EXCLUDED.messages, ai_cost = s.ai_cost + EXCLUDED.ai_cost,
                billing_cost = s.billing_cost + EXCLUDED.billing_cost
        ), hours AS (
            INSERT INTO message_hours AS s (workspace_id, hour, platform, inbox_id, direction, sender, billable, messages, ai_cost, billing_cost, task_id)
            SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, direction, sender, billable,
                   sum(messages), sum(ai_cost), sum(billing_cost), task_id
            FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7, 11
            HAVING sum(messages) <> 0 OR sum(ai_cost) <> 0 OR sum(billing_cost) <> 0
            ORDER BY 1, 2, 3, 4, 11, 5, 6, 7
            ON CONFLICT (workspace_id, hour, platform, inbox_id, task_id, direction, sender, billable) DO UPDATE
            SET messages = s.messages + EXCLUDED.messages, ai_cost = s.ai_cost + EXCLUDED.ai_cost,
                billing_cost = s.billing_cost + EXCLUDED.billing_cost
        )
        INSERT INTO message_days AS s (workspace_id, day, platform, inbox_id, direction, sender, billable, messages, ai_cost, billing_cost, task_id)
        SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, direction, sender, billable,
               sum(messages), sum(ai_cost), sum(billing_cost), task_id
        FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7, 11
        HAVING sum(messages) <> 0 OR sum(ai_cost) <> 0 OR sum(billing_cost) <> 0
        ORDER BY 1, 2, 3, 4, 11, 5, 6, 7
        ON CONFLICT (workspace_id, day, platform, inbox_id, task_id, direction, sender, billable) DO UPDATE
        SET messages = s.messages + EXCLUDED.messages, ai_cost = s.ai_cost + EXCLUDED.ai_cost,
            billing_cost = s.billing_cost + EXCLUDED.billing_cost$q$, deltas);
END
$fn$;

-- The statements of migration 5, the message levels now by task.
CREATE OR REPLACE FUNCTION message_summaries_statements(changed text, removing boolean) RETURNS SETOF text
LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
    RETURN NEXT message_levels_add(format($q$
        SELECT d.workspace_id, date_bin('15 minutes', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS slot, c.platform, v.inbox_id,
               d.direction, d.sender, d.billable, sum(d.sign) AS messages, sum(d.sign * d.ai_cost) AS ai_cost, sum(d.sign * d.billing_cost) AS billing_cost,
               v.task_id
        FROM (%s) d
        JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id
        JOIN conversations v ON v.workspace_id = d.workspace_id AND v.id = d.conversation_id
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 11$q$, changed));

    RETURN NEXT format($q$
        WITH d AS MATERIALIZED (
            SELECT d.workspace_id, date_bin('15 minutes', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS slot, d.contact_id, v.inbox_id,
                   c.platform, sum(d.sign) AS messages
            FROM (%s) d
            JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id
            JOIN conversations v ON v.workspace_id = d.workspace_id AND v.id = d.conversation_id
            WHERE d.direction = 'inbound'
            GROUP BY 1, 2, 3, 4, 5
            HAVING sum(d.sign) <> 0
        ), slots AS (
            INSERT INTO contact_slots AS s (workspace_id, slot, contact_id, inbox_id, platform, messages)
            SELECT * FROM d ORDER BY 1, 2, 3, 4
            ON CONFLICT (workspace_id, slot, contact_id, inbox_id) DO UPDATE SET messages = s.messages + EXCLUDED.messages
        ), hours AS (
            INSERT INTO contact_hours AS s (workspace_id, hour, contact_id, inbox_id, platform, messages)
            SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), contact_id, inbox_id, platform, sum(messages)
            FROM d GROUP BY 1, 2, 3, 4, 5
            HAVING sum(messages) <> 0
            ORDER BY 1, 2, 3, 4
            ON CONFLICT (workspace_id, hour, contact_id, inbox_id) DO UPDATE SET messages = s.messages + EXCLUDED.messages
        )
        INSERT INTO contact_days AS s (workspace_id, day, contact_id, inbox_id, platform, messages)
        SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), contact_id, inbox_id, platform, sum(messages)
        FROM d GROUP BY 1, 2, 3, 4, 5
        HAVING sum(messages) <> 0
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (workspace_id, day, contact_id, inbox_id) DO UPDATE SET messages = s.messages + EXCLUDED.messages$q$, changed);

    IF removing THEN
        RETURN NEXT format($q$
            INSERT INTO message_minutes AS s (workspace_id, minute, messages)
            SELECT d.workspace_id, date_bin('1 minute', d.created_at, timestamptz '2000-01-01 00:00:00+00'), sum(d.sign)
            FROM (%s) d
            GROUP BY 1, 2
            HAVING sum(d.sign) <> 0
            ORDER BY 1, 2
            ON CONFLICT (workspace_id, minute) DO UPDATE SET messages = s.messages + EXCLUDED.messages$q$, changed);
    ELSE
        -- Rows only arrived: minutes only grow, so an hour's busiest minute
        -- is its old one or the busiest of the minutes just written (their
        -- counts as they stand, concurrent writers' included).
        RETURN NEXT format($q$
            WITH m AS (
                INSERT INTO message_minutes AS s (workspace_id, minute, messages)
                SELECT d.workspace_id, date_bin('1 minute', d.created_at, timestamptz '2000-01-01 00:00:00+00'), sum(d.sign)
                FROM (%s) d
                GROUP BY 1, 2
                ORDER BY 1, 2
                ON CONFLICT (workspace_id, minute) DO UPDATE SET messages = s.messages + EXCLUDED.messages
                RETURNING s.workspace_id, s.minute, s.messages
            )
            INSERT INTO message_minute_peaks AS p (workspace_id, hour, peak_minute, messages)
            SELECT DISTINCT ON (1, 2) workspace_id, date_bin('1 hour', minute, timestamptz '2000-01-01 00:00:00+00'), minute, messages
            FROM m ORDER BY 1, 2, messages DESC, minute
            ON CONFLICT (workspace_id, hour) DO UPDATE SET peak_minute = EXCLUDED.peak_minute, messages = EXCLUDED.messages
            WHERE EXCLUDED.messages > p.messages OR EXCLUDED.messages = p.messages AND EXCLUDED.peak_minute < p.peak_minute$q$, changed);
    END IF;

    IF NOT removing THEN
        -- Rows only arrived: a first inbound message can only move earlier
        -- (or, at the same instant, to a lower id).
        RETURN NEXT format($q$
            INSERT INTO contact_first_inbound AS s (workspace_id, contact_id, platform, first_at, message_id, inbox_id)
            SELECT DISTINCT ON (d.workspace_id, d.contact_id) d.workspace_id, d.contact_id, c.platform, d.created_at, d.id, v.inbox_id
            FROM (%s) d
            JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id
            JOIN conversations v ON v.workspace_id = d.workspace_id AND v.id = d.conversation_id
            WHERE d.direction = 'inbound'
            ORDER BY d.workspace_id, d.contact_id, d.created_at, d.id
            ON CONFLICT (workspace_id, contact_id) DO UPDATE
            SET first_at = EXCLUDED.first_at, message_id = EXCLUDED.message_id, inbox_id = EXCLUDED.inbox_id
            WHERE (EXCLUDED.first_at, EXCLUDED.message_id) < (s.first_at, s.message_id)$q$, changed);
        RETURN;
    END IF;

    -- Rows went or changed: drop the emptied summary rows, and read the
    -- first inbound message of every contact concerned again.
    RETURN NEXT format($q$
        DELETE FROM message_slots s USING (SELECT DISTINCT d.workspace_id, date_bin('15 minutes', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS slot FROM (%s) d) k
        WHERE s.workspace_id = k.workspace_id AND s.slot = k.slot AND s.messages = 0$q$, changed);
    RETURN NEXT format($q$
        DELETE FROM message_hours s USING (SELECT DISTINCT d.workspace_id, date_bin('1 hour', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS hour FROM (%s) d) k
        WHERE s.workspace_id = k.workspace_id AND s.hour = k.hour AND s.messages = 0$q$, changed);
    RETURN NEXT format($q$
        DELETE FROM message_days s USING (SELECT DISTINCT d.workspace_id, date_bin('1 day', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS day FROM (%s) d) k
        WHERE s.workspace_id = k.workspace_id AND s.day = k.day AND s.messages = 0$q$, changed);
    RETURN NEXT format($q$
        DELETE FROM contact_slots s USING (SELECT DISTINCT d.workspace_id, date_bin('15 minutes', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS slot FROM (%s) d) k
        WHERE s.workspace_id = k.workspace_id AND s.slot = k.slot AND s.messages = 0$q$, changed);
    RETURN NEXT format($q$
        DELETE FROM contact_hours s USING (SELECT DISTINCT d.workspace_id, date_bin('1 hour', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS hour FROM (%s) d) k
        WHERE s.workspace_id = k.workspace_id AND s.hour = k.hour AND s.messages = 0$q$, changed);
    RETURN NEXT format($q$
        DELETE FROM contact_days s USING (SELECT DISTINCT d.workspace_id, date_bin('1 day', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS day FROM (%s) d) k
        WHERE s.workspace_id = k.workspace_id AND s.day = k.day AND s.messages = 0$q$, changed);
    RETURN NEXT format($q$
        DELETE FROM message_minutes s USING (SELECT DISTINCT d.workspace_id, date_bin('1 minute', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS minute FROM (%s) d) k
        WHERE s.workspace_id = k.workspace_id AND s.minute = k.minute AND s.messages = 0$q$, changed);
    -- The busiest minute of each hour concerned, again from its minutes.
    RETURN NEXT format($q$
        DELETE FROM message_minute_peaks p USING (SELECT DISTINCT d.workspace_id, date_bin('1 hour', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS hour FROM (%s) d) k
        WHERE p.workspace_id = k.workspace_id AND p.hour = k.hour$q$, changed);
    RETURN NEXT format($q$
        INSERT INTO message_minute_peaks (workspace_id, hour, peak_minute, messages)
        SELECT DISTINCT ON (1, 2) k.workspace_id, k.hour, mm.minute, mm.messages
        FROM (SELECT DISTINCT d.workspace_id, date_bin('1 hour', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS hour FROM (%s) d) k
        JOIN message_minutes mm ON mm.workspace_id = k.workspace_id AND mm.minute >= k.hour AND mm.minute < k.hour + interval '1 hour'
        ORDER BY 1, 2, mm.messages DESC, mm.minute$q$, changed);
    RETURN NEXT format($q$
        DELETE FROM contact_first_inbound f USING (SELECT DISTINCT d.workspace_id, d.contact_id FROM (%s) d WHERE d.direction = 'inbound') k
        WHERE f.workspace_id = k.workspace_id AND f.contact_id = k.contact_id$q$, changed);
    RETURN NEXT format($q$
        INSERT INTO contact_first_inbound (workspace_id, contact_id, platform, first_at, message_id, inbox_id)
        SELECT k.workspace_id, k.contact_id, c.platform, f.created_at, f.id, v.inbox_id
        FROM (SELECT DISTINCT d.workspace_id, d.contact_id FROM (%s) d WHERE d.direction = 'inbound') k
        JOIN contacts c ON c.workspace_id = k.workspace_id AND c.id = k.contact_id
        CROSS JOIN LATERAL (SELECT m.created_at, m.id, m.conversation_id FROM messages m
            WHERE m.workspace_id = k.workspace_id AND m.contact_id = k.contact_id AND m.direction = 'inbound'
            ORDER BY m.created_at, m.id LIMIT 1) f
        JOIN conversations v ON v.workspace_id = k.workspace_id AND v.id = f.conversation_id$q$, changed);
END
$fn$;

-- A conversation whose task changes moves its messages, as they stand, from
-- the old task's rows to the new one's; then the rows it emptied go. Other
-- changes of a conversation move nothing here (its inbox is taken as fixed,
-- as migration 3 says).
CREATE FUNCTION message_summaries_conversations() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' SET jit = off AS $fn$
DECLARE
    unit record;
BEGIN
    EXECUTE message_levels_add($q$
        SELECT m.workspace_id, date_bin('15 minutes', m.created_at, timestamptz '2000-01-01 00:00:00+00') AS slot, c.platform, v.inbox_id,
               m.direction, m.sender, m.billable, sum(t.sign) AS messages, sum(t.sign * m.ai_cost) AS ai_cost,
               sum(t.sign * m.billing_cost) AS billing_cost, t.task_id
        FROM (SELECT o.workspace_id, o.id, o.task_id AS old_task, n.task_id AS new_task
              FROM old_rows o JOIN new_rows n ON n.workspace_id = o.workspace_id AND n.id = o.id
              WHERE o.task_id IS DISTINCT FROM n.task_id) k
        JOIN messages m ON m.workspace_id = k.workspace_id AND m.conversation_id = k.id
        JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
        JOIN conversations v ON v.workspace_id = k.workspace_id AND v.id = k.id
        CROSS JOIN LATERAL (VALUES (k.old_task, -1), (k.new_task, 1)) t (task_id, sign)
        GROUP BY 1, 2, 3, 4, 5, 6, 7, 11$q$);
    FOR unit IN SELECT * FROM (VALUES ('message_slots', 'slot', '15 minutes'), ('message_hours', 'hour', '1 hour'),
                                      ('message_days', 'day', '1 day')) AS l (tab, col, grain) LOOP
        EXECUTE format($q$
            DELETE FROM %1$I s USING (
                SELECT DISTINCT m.workspace_id, date_bin(%3$L, m.created_at, timestamptz '2000-01-01 00:00:00+00') AS t
                FROM old_rows o JOIN new_rows n ON n.workspace_id = o.workspace_id AND n.id = o.id
                JOIN messages m ON m.workspace_id = o.workspace_id AND m.conversation_id = o.id
                WHERE o.task_id IS DISTINCT FROM n.task_id) k
            WHERE s.workspace_id = k.workspace_id AND s.%2$I = k.t AND s.messages = 0$q$, unit.tab, unit.col, unit.grain);
    END LOOP;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER conversations_message_summaries_update AFTER UPDATE ON conversations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION message_summaries_conversations();
-- Like the triggers on messages, also under session_replication_role = replica.
ALTER TABLE conversations ENABLE ALWAYS TRIGGER conversations_message_summaries_update;

-- The messages already there, each with its conversation's task; the hours
-- and days from the slots.
INSERT INTO message_slots (workspace_id, slot, platform, inbox_id, direction, sender, billable, messages, ai_cost, billing_cost, task_id)
SELECT m.workspace_id, date_bin('15 minutes', m.created_at, timestamptz '2000-01-01 00:00:00+00'), c.platform, v.inbox_id,
       m.direction, m.sender, m.billable, count(*), sum(m.ai_cost), sum(m.billing_cost), v.task_id
FROM messages m
JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
JOIN conversations v ON v.workspace_id = m.workspace_id AND v.id = m.conversation_id
GROUP BY 1, 2, 3, 4, 5, 6, 7, 11;
INSERT INTO message_hours (workspace_id, hour, platform, inbox_id, direction, sender, billable, messages, ai_cost, billing_cost, task_id)
SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, direction, sender, billable,
       sum(messages), sum(ai_cost), sum(billing_cost), task_id
FROM message_slots GROUP BY 1, 2, 3, 4, 5, 6, 7, 11;
INSERT INTO message_days (workspace_id, day, platform, inbox_id, direction, sender, billable, messages, ai_cost, billing_cost, task_id)
SELECT workspace_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, direction, sender, billable,
       sum(messages), sum(ai_cost), sum(billing_cost), task_id
FROM message_hours GROUP BY 1, 2, 3, 4, 5, 6, 7, 11;
