-- Conversations handed to a human, in the conversation summaries of
-- migration 8: of the conversations of each start unit and dimensions, those
-- with at least one assignment (transferred_conversations, and the sources
-- table's hand-offs). They read a few rows per day instead of probing every
-- conversation of the range for an assignment (450,000 probes, 400 ms, for a
-- month at scale M).
--
-- Whether a conversation was handed off depends on its assignments, which
-- other transactions may add or remove while one changes the conversation:
-- the same problem as the funnel's reply (migration 16), met the same way.
-- Each conversation's number of assignments is kept beside its inbound
-- messages in conversation_inbound, and every writer goes through that row
-- with INSERT ... ON CONFLICT DO UPDATE:
--
-- - on assignments, each statement adds its assignments per conversation
--   there; a conversation whose count leaves or reaches zero is handed off or
--   no longer, counted in a later statement against the conversation as
--   committed by then (its start, platform, inbox, task and flow);
-- - on conversations, an update or a delete already writes the row (adding
--   nothing) before it reads its counts (migration 16), now both of them.

ALTER TABLE conversation_inbound ADD COLUMN assignments bigint NOT NULL DEFAULT 0;

ALTER TABLE conversation_slots ADD COLUMN transferred bigint NOT NULL DEFAULT 0;
ALTER TABLE conversation_hours ADD COLUMN transferred bigint NOT NULL DEFAULT 0;
ALTER TABLE conversation_days ADD COLUMN transferred bigint NOT NULL DEFAULT 0;

-- As in migration 16, with the hand-offs: the deltas are a SELECT of
-- workspace_id, started_at, platform, inbox_id, task_id, start_flow_id,
-- conversations, messages, replied, obtained, succeeded, transferred.
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
    )
    INSERT INTO conversation_days AS s (workspace_id, day, platform, inbox_id, task_id, start_flow_id, %4$s)
    SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, task_id, start_flow_id, %2$s
    FROM d GROUP BY 1, 2, 3, 4, 5, 6
    HAVING %3$s
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (workspace_id, day, platform, inbox_id, task_id, start_flow_id) DO UPDATE SET %5$s$q$, deltas, sums, nonzero, cols, adds);
END
$fn$;

-- As in migration 16, with the hand-off from the assignments' count read
-- (and, for an update or a delete, locked) with the inbound count.
CREATE OR REPLACE FUNCTION conversation_summaries_conversations() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' SET jit = off AS $fn$
DECLARE
    cols constant text := 'workspace_id, id, contact_id, inbox_id, task_id, start_flow_id, started_at, '
        'contact_obtained_at IS NOT NULL AS obtained, success_at IS NOT NULL AS succeeded';
    keys constant text := 'workspace_id, id, contact_id, inbox_id, task_id, start_flow_id, started_at, obtained, succeeded';
    changed text;
    counts text;
    ws integer[];
    ids bigint[];
    inbounds bigint[];
    assigned bigint[];
    unit record;
BEGIN
    CASE TG_OP
    WHEN 'INSERT' THEN
        changed := format('SELECT %s, 1 AS sign FROM new_rows', cols);
    WHEN 'DELETE' THEN
        changed := format('SELECT %s, -1 AS sign FROM old_rows', cols);
    WHEN 'UPDATE' THEN
        changed := format('SELECT %1$s, sum(sign) AS sign FROM (SELECT %2$s, -1 AS sign FROM old_rows UNION ALL SELECT %2$s, 1 FROM new_rows) u'
            ' GROUP BY %1$s HAVING sum(sign) <> 0', keys, cols);
    END CASE;
    IF TG_OP = 'INSERT' THEN
        counts := 'SELECT workspace_id, conversation_id, inbound, assignments FROM conversation_inbound';
    ELSE
        EXECUTE format($q$
            WITH u AS (
                INSERT INTO conversation_inbound AS t (workspace_id, conversation_id, inbound)
                SELECT DISTINCT workspace_id, id, 0 FROM (%s) k ORDER BY 1, 2
                ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET inbound = t.inbound
                RETURNING t.workspace_id, t.conversation_id, t.inbound, t.assignments
            )
            SELECT array_agg(workspace_id), array_agg(conversation_id), array_agg(inbound), array_agg(assignments) FROM u$q$, changed)
            INTO ws, ids, inbounds, assigned;
        counts := 'SELECT * FROM unnest($1::integer[], $2::bigint[], $3::bigint[], $4::bigint[])'
            ' AS i (workspace_id, conversation_id, inbound, assignments)';
    END IF;
    EXECUTE conversation_summaries_add(format($q$
        WITH k AS MATERIALIZED (%s),
        n AS (
            SELECT m.workspace_id, m.conversation_id, count(*) AS messages FROM messages m
            WHERE (m.workspace_id, m.conversation_id) IN (SELECT workspace_id, id FROM k)
            GROUP BY 1, 2
        ),
        r AS (
            SELECT k.*, coalesce(i.inbound, 0) > 0 AS replied, coalesce(i.assignments, 0) > 0 AS transferred FROM k
            LEFT JOIN (%s) i ON i.workspace_id = k.workspace_id AND i.conversation_id = k.id
        )
        SELECT r.workspace_id, r.started_at, c.platform, r.inbox_id, r.task_id, r.start_flow_id,
               r.sign AS conversations, r.sign * coalesce(n.messages, 0) AS messages,
               r.sign * r.replied::int AS replied, r.sign * (r.replied AND r.obtained)::int AS obtained,
               r.sign * (r.replied AND r.succeeded)::int AS succeeded, r.sign * r.transferred::int AS transferred
        FROM r
        JOIN contacts c ON c.workspace_id = r.workspace_id AND c.id = r.contact_id
        LEFT JOIN n ON n.workspace_id = r.workspace_id AND n.conversation_id = r.id$q$, changed, counts)) USING ws, ids, inbounds, assigned;
    IF TG_OP <> 'INSERT' THEN
        FOR unit IN SELECT * FROM (VALUES ('conversation_slots', 'slot', '15 minutes'), ('conversation_hours', 'hour', '1 hour'),
                                          ('conversation_days', 'day', '1 day')) AS l (tab, col, grain) LOOP
            EXECUTE format($q$
                DELETE FROM %1$I s USING (SELECT DISTINCT workspace_id, date_bin(%3$L, started_at, timestamptz '2000-01-01 00:00:00+00') AS t
                    FROM old_rows) k
                WHERE s.workspace_id = k.workspace_id AND s.%2$I = k.t AND s.conversations = 0$q$, unit.tab, unit.col, unit.grain);
        END LOOP;
    END IF;
    IF TG_OP = 'DELETE' THEN
        DELETE FROM conversation_inbound i USING old_rows o WHERE i.workspace_id = o.workspace_id AND i.conversation_id = o.id;
    END IF;
    RETURN NULL;
END
$fn$;

-- As in migration 16; a message changes no hand-off.
CREATE OR REPLACE FUNCTION conversation_summaries_messages() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' SET jit = off AS $fn$
DECLARE
    changed text;
    ws integer[];
    ids bigint[];
    counts bigint[];
    flips integer[];
BEGIN
    CASE TG_OP
    WHEN 'INSERT' THEN
        changed := 'SELECT workspace_id, conversation_id, count(*) AS messages, count(*) FILTER (WHERE direction = ''inbound'') AS inbound'
            ' FROM new_rows GROUP BY 1, 2';
    WHEN 'DELETE' THEN
        changed := 'SELECT workspace_id, conversation_id, -count(*) AS messages, -count(*) FILTER (WHERE direction = ''inbound'') AS inbound'
            ' FROM old_rows GROUP BY 1, 2';
    WHEN 'UPDATE' THEN
        changed := 'SELECT workspace_id, conversation_id, sum(sign) AS messages, coalesce(sum(sign) FILTER (WHERE direction = ''inbound''), 0) AS inbound'
            ' FROM (SELECT workspace_id, conversation_id, direction, -1 AS sign FROM old_rows'
            ' UNION ALL SELECT workspace_id, conversation_id, direction, 1 FROM new_rows) u GROUP BY 1, 2'
            ' HAVING sum(sign) <> 0 OR coalesce(sum(sign) FILTER (WHERE direction = ''inbound''), 0) <> 0';
    END CASE;
    EXECUTE format($q$
        WITH k AS MATERIALIZED (%s),
        u AS (
            INSERT INTO conversation_inbound AS t (workspace_id, conversation_id, inbound)
            SELECT workspace_id, conversation_id, inbound FROM k WHERE inbound <> 0 ORDER BY 1, 2
            ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET inbound = t.inbound + EXCLUDED.inbound
            RETURNING t.workspace_id, t.conversation_id, t.inbound
        )
        SELECT array_agg(k.workspace_id), array_agg(k.conversation_id), array_agg(k.messages),
               array_agg(CASE WHEN u.inbound IS NULL THEN 0 ELSE sign(u.inbound) - sign(u.inbound - k.inbound) END)
        FROM k LEFT JOIN u ON u.workspace_id = k.workspace_id AND u.conversation_id = k.conversation_id$q$, changed)
        INTO ws, ids, counts, flips;
    EXECUTE conversation_summaries_add($q$
        SELECT v.workspace_id, v.started_at, c.platform, v.inbox_id, v.task_id, v.start_flow_id, 0 AS conversations, k.messages,
               k.flip AS replied, CASE WHEN v.contact_obtained_at IS NOT NULL THEN k.flip ELSE 0 END AS obtained,
               CASE WHEN v.success_at IS NOT NULL THEN k.flip ELSE 0 END AS succeeded, 0 AS transferred
        FROM unnest($1::integer[], $2::bigint[], $3::bigint[], $4::integer[]) AS k (workspace_id, conversation_id, messages, flip)
        JOIN conversations v ON v.workspace_id = k.workspace_id AND v.id = k.conversation_id
        JOIN contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id$q$) USING ws, ids, counts, flips;
    RETURN NULL;
END
$fn$;

-- A truncate of the messages keeps the assignments' counts: their inbound
-- counts go to 0 (migration 16 deleted the rows).
CREATE OR REPLACE FUNCTION conversation_summaries_truncate_messages() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    UPDATE conversation_slots SET messages = 0, replied = 0, obtained = 0, succeeded = 0
    WHERE messages <> 0 OR replied <> 0 OR obtained <> 0 OR succeeded <> 0;
    UPDATE conversation_hours SET messages = 0, replied = 0, obtained = 0, succeeded = 0
    WHERE messages <> 0 OR replied <> 0 OR obtained <> 0 OR succeeded <> 0;
    UPDATE conversation_days SET messages = 0, replied = 0, obtained = 0, succeeded = 0
    WHERE messages <> 0 OR replied <> 0 OR obtained <> 0 OR succeeded <> 0;
    UPDATE conversation_inbound SET inbound = 0 WHERE inbound <> 0;
    RETURN NULL;
END
$fn$;

-- The changes of assignments: first each conversation's count (its row
-- locked), then, in a statement of its own, the hand-offs that begin or end
-- against the conversations as they stand. A conversation not there yet (a
-- load with foreign keys off) is counted when it arrives, from its count.
CREATE OR REPLACE FUNCTION conversation_summaries_assignments() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' SET jit = off AS $fn$
DECLARE
    changed text;
    ws integer[];
    ids bigint[];
    flips integer[];
BEGIN
    CASE TG_OP
    WHEN 'INSERT' THEN
        changed := 'SELECT workspace_id, conversation_id, count(*) AS assignments FROM new_rows GROUP BY 1, 2';
    WHEN 'DELETE' THEN
        changed := 'SELECT workspace_id, conversation_id, -count(*) AS assignments FROM old_rows GROUP BY 1, 2';
    WHEN 'UPDATE' THEN
        changed := 'SELECT workspace_id, conversation_id, sum(sign) AS assignments'
            ' FROM (SELECT workspace_id, conversation_id, -1 AS sign FROM old_rows'
            ' UNION ALL SELECT workspace_id, conversation_id, 1 FROM new_rows) u GROUP BY 1, 2 HAVING sum(sign) <> 0';
    END CASE;
    EXECUTE format($q$
        WITH k AS MATERIALIZED (%s),
        u AS (
            INSERT INTO conversation_inbound AS t (workspace_id, conversation_id, inbound, assignments)
            SELECT workspace_id, conversation_id, 0, assignments FROM k ORDER BY 1, 2
            ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET assignments = t.assignments + EXCLUDED.assignments
            RETURNING t.workspace_id, t.conversation_id, t.assignments
        )
        SELECT array_agg(k.workspace_id), array_agg(k.conversation_id), array_agg(sign(u.assignments) - sign(u.assignments - k.assignments))
        FROM k JOIN u ON u.workspace_id = k.workspace_id AND u.conversation_id = k.conversation_id$q$, changed)
        INTO ws, ids, flips;
    EXECUTE conversation_summaries_add($q$
        SELECT v.workspace_id, v.started_at, c.platform, v.inbox_id, v.task_id, v.start_flow_id, 0 AS conversations, 0 AS messages,
               0 AS replied, 0 AS obtained, 0 AS succeeded, k.flip AS transferred
        FROM unnest($1::integer[], $2::bigint[], $3::integer[]) AS k (workspace_id, conversation_id, flip)
        JOIN conversations v ON v.workspace_id = k.workspace_id AND v.id = k.conversation_id
        JOIN contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id
        WHERE k.flip <> 0$q$) USING ws, ids, flips;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION conversation_summaries_truncate_assignments() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    UPDATE conversation_slots SET transferred = 0 WHERE transferred <> 0;
    UPDATE conversation_hours SET transferred = 0 WHERE transferred <> 0;
    UPDATE conversation_days SET transferred = 0 WHERE transferred <> 0;
    UPDATE conversation_inbound SET assignments = 0 WHERE assignments <> 0;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER assignments_conversation_summaries_insert AFTER INSERT ON assignments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_summaries_assignments();
CREATE TRIGGER assignments_conversation_summaries_update AFTER UPDATE ON assignments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_summaries_assignments();
CREATE TRIGGER assignments_conversation_summaries_delete AFTER DELETE ON assignments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_summaries_assignments();
CREATE TRIGGER assignments_conversation_summaries_truncate AFTER TRUNCATE ON assignments
    FOR EACH STATEMENT EXECUTE FUNCTION conversation_summaries_truncate_assignments();

-- Also under session_replication_role = replica (a bulk load).
ALTER TABLE assignments ENABLE ALWAYS TRIGGER assignments_conversation_summaries_insert;
ALTER TABLE assignments ENABLE ALWAYS TRIGGER assignments_conversation_summaries_update;
ALTER TABLE assignments ENABLE ALWAYS TRIGGER assignments_conversation_summaries_delete;
ALTER TABLE assignments ENABLE ALWAYS TRIGGER assignments_conversation_summaries_truncate;

-- The assignments already there: each conversation's count, then the
-- hand-offs of each row's conversations (the slots from the conversations,
-- the hours and days from the slots).
INSERT INTO conversation_inbound AS t (workspace_id, conversation_id, inbound, assignments)
SELECT workspace_id, conversation_id, 0, count(*) FROM assignments GROUP BY 1, 2 ORDER BY 1, 2
ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET assignments = EXCLUDED.assignments;

UPDATE conversation_slots s SET transferred = f.transferred
FROM (
    SELECT v.workspace_id, date_bin('15 minutes', v.started_at, timestamptz '2000-01-01 00:00:00+00') AS slot, c.platform, v.inbox_id,
           v.task_id, v.start_flow_id, count(*) AS transferred
    FROM conversations v
    JOIN contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id
    JOIN conversation_inbound i ON i.workspace_id = v.workspace_id AND i.conversation_id = v.id
    WHERE i.assignments > 0
    GROUP BY 1, 2, 3, 4, 5, 6
) f
WHERE s.workspace_id = f.workspace_id AND s.slot = f.slot AND s.platform = f.platform AND s.inbox_id = f.inbox_id
    AND s.task_id IS NOT DISTINCT FROM f.task_id AND s.start_flow_id IS NOT DISTINCT FROM f.start_flow_id;
UPDATE conversation_hours s SET transferred = f.transferred
FROM (
    SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00') AS hour, platform, inbox_id, task_id, start_flow_id,
           sum(transferred) AS transferred
    FROM conversation_slots WHERE transferred <> 0 GROUP BY 1, 2, 3, 4, 5, 6
) f
WHERE s.workspace_id = f.workspace_id AND s.hour = f.hour AND s.platform = f.platform AND s.inbox_id = f.inbox_id
    AND s.task_id IS NOT DISTINCT FROM f.task_id AND s.start_flow_id IS NOT DISTINCT FROM f.start_flow_id;
UPDATE conversation_days s SET transferred = f.transferred
FROM (
    SELECT workspace_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00') AS day, platform, inbox_id, task_id, start_flow_id,
           sum(transferred) AS transferred
    FROM conversation_hours WHERE transferred <> 0 GROUP BY 1, 2, 3, 4, 5, 6
) f
WHERE s.workspace_id = f.workspace_id AND s.day = f.day AND s.platform = f.platform AND s.inbox_id = f.inbox_id
    AND s.task_id IS NOT DISTINCT FROM f.task_id AND s.start_flow_id IS NOT DISTINCT FROM f.start_flow_id;
