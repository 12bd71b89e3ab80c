-- The campaign funnel from the conversation summaries of migration 8: of the
-- conversations of each start unit and dimensions, those in which the
-- contact replied (wrote at least one inbound message), those of them in
-- which contact details were obtained, and those of them marked successful.
-- Replies, contacts obtained, successes and their shares then read a few
-- rows per day instead of every conversation of the range with a probe of
-- its messages.
--
-- Whether a conversation has a reply depends on its messages, which other
-- transactions may add or remove at the same time as one changes the
-- conversation. So that concurrent writers cannot both miss each other's
-- uncommitted rows, each conversation's number of inbound messages is kept
-- in conversation_inbound, and every writer that needs it goes through that
-- row with INSERT ... ON CONFLICT DO UPDATE, which locks it to the end of
-- the transaction and reads its latest committed version:
--
-- - on messages, each statement adds its inbound messages per conversation
--   there; a conversation whose count leaves or reaches zero gains or loses
--   its reply, read in a later statement (a fresh snapshot, under READ
--   COMMITTED) against the conversation as committed by then: whether its
--   contact details were obtained and whether it succeeded;
-- - on conversations, an update or a delete writes the same rows (adding
--   nothing) before it reads their counts: it waits for a writer of messages
--   that holds them, and one that comes later waits for it. An update that
--   sets or clears contact_obtained_at or success_at moves the conversation
--   between the funnel's steps.
--
-- Under REPEATABLE READ the second writer to a row fails with a
-- serialization error instead of waiting, which its retry resolves. A
-- conversation's row stays there (with 0) when its messages go, so that the
-- next writer still meets it; the conversation's delete removes it.

-- Writers of messages and conversations wait for this migration (reads do
-- not): a statement that began before the new functions were committed would
-- leave its rows out of what the migration fills. SHARE ROW EXCLUSIVE waits
-- for the transactions that wrote them to end, so the fill sees what they
-- wrote, and holds the next ones back until the new functions are there for
-- them.
LOCK TABLE messages, conversations IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE conversation_inbound (
    workspace_id    integer NOT NULL REFERENCES workspaces (id),
    conversation_id bigint NOT NULL,
    inbound         bigint NOT NULL,
    PRIMARY KEY (workspace_id, conversation_id)
);

ALTER TABLE conversation_slots ADD COLUMN replied bigint NOT NULL DEFAULT 0, ADD COLUMN obtained bigint NOT NULL DEFAULT 0,
    ADD COLUMN succeeded bigint NOT NULL DEFAULT 0;
ALTER TABLE conversation_hours ADD COLUMN replied bigint NOT NULL DEFAULT 0, ADD COLUMN obtained bigint NOT NULL DEFAULT 0,
    ADD COLUMN succeeded bigint NOT NULL DEFAULT 0;
ALTER TABLE conversation_days ADD COLUMN replied bigint NOT NULL DEFAULT 0, ADD COLUMN obtained bigint NOT NULL DEFAULT 0,
    ADD COLUMN succeeded bigint NOT NULL DEFAULT 0;

-- As in migration 8, with the funnel's columns: the deltas are a SELECT of
-- workspace_id, started_at, platform, inbox_id, task_id, start_flow_id,
-- conversations, messages, replied, obtained, succeeded.
CREATE OR REPLACE FUNCTION conversation_summaries_add(deltas text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
    RETURN format($q$
    WITH d AS MATERIALIZED (
        SELECT d.workspace_id, date_bin('15 minutes', d.started_at, timestamptz '2000-01-01 00:00:00+00') AS slot, d.platform, d.inbox_id,
               d.task_id, d.start_flow_id, sum(d.conversations) AS conversations, sum(d.messages) AS messages,
               sum(d.replied) AS replied, sum(d.obtained) AS obtained, sum(d.succeeded) AS succeeded
        FROM (%s) d
        GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(d.conversations) <> 0 OR sum(d.messages) <> 0 OR sum(d.replied) <> 0 OR sum(d.obtained) <> 0 OR sum(d.succeeded) <> 0
    ), slots AS (
        INSERT INTO conversation_slots AS s (workspace_id, slot, platform, inbox_id, task_id, start_flow_id, conversations, messages,
                                             replied, obtained, succeeded)
        SELECT * FROM d ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (workspace_id, slot, platform, inbox_id, task_id, start_flow_id) DO UPDATE
        SET conversations = s.conversations + EXCLUDED.conversations, messages = s.messages + EXCLUDED.messages,
            replied = s.replied + EXCLUDED.replied, obtained = s.obtained + EXCLUDED.obtained, succeeded = s.succeeded + EXCLUDED.succeeded
    ), hours AS (
        INSERT INTO conversation_hours AS s (workspace_id, hour, platform, inbox_id, task_id, start_flow_id, conversations, messages,
                                             replied, obtained, succeeded)
        SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, task_id, start_flow_id,
               sum(conversations), sum(messages), sum(replied), sum(obtained), sum(succeeded)
        FROM d GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(conversations) <> 0 OR sum(messages) <> 0 OR sum(replied) <> 0 OR sum(obtained) <> 0 OR sum(succeeded) <> 0
        ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (workspace_id, hour, platform, inbox_id, task_id, start_flow_id) DO UPDATE
        SET conversations = s.conversations + EXCLUDED.conversations, messages = s.messages + EXCLUDED.messages,
            replied = s.replied + EXCLUDED.replied, obtained = s.obtained + EXCLUDED.obtained, succeeded = s.succeeded + EXCLUDED.succeeded
    )
    INSERT INTO conversation_days AS s (workspace_id, day, platform, inbox_id, task_id, start_flow_id, conversations, messages,
                                        replied, obtained, succeeded)
    SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, task_id, start_flow_id,
           sum(conversations), sum(messages), sum(replied), sum(obtained), sum(succeeded)
    FROM d GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(conversations) <> 0 OR sum(messages) <> 0 OR sum(replied) <> 0 OR sum(obtained) <> 0 OR sum(succeeded) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (workspace_id, day, platform, inbox_id, task_id, start_flow_id) DO UPDATE
    SET conversations = s.conversations + EXCLUDED.conversations, messages = s.messages + EXCLUDED.messages,
        replied = s.replied + EXCLUDED.replied, obtained = s.obtained + EXCLUDED.obtained, succeeded = s.succeeded + EXCLUDED.succeeded$q$, deltas);
END
$fn$;

-- The changes of conversations, as in migration 8, with whether contact
-- details were obtained and whether it succeeded among what a version is, and
-- its reply from its inbound messages' count: read for a conversation that
-- arrives (its messages can only come after it, but for a load with foreign
-- keys off), written first for one that changes or goes (see above).
CREATE OR REPLACE FUNCTION conversation_summaries_conversations() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' SET jit = off AS $fn$
DECLARE
    cols constant text := 'workspace_id, id, contact_id, inbox_id, task_id, start_flow_id, started_at, '
        'contact_obtained_at IS NOT NULL AS obtained, success_at IS NOT NULL AS succeeded';
    keys constant text := 'workspace_id, id, contact_id, inbox_id, task_id, start_flow_id, started_at, obtained, succeeded';
    changed text;
    inbound text;
    ws integer[];
    ids bigint[];
    counts bigint[];
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
        inbound := 'SELECT workspace_id, conversation_id, inbound FROM conversation_inbound';
    ELSE
        EXECUTE format($q$
            WITH u AS (
                INSERT INTO conversation_inbound AS t (workspace_id, conversation_id, inbound)
                SELECT DISTINCT workspace_id, id, 0 FROM (%s) k ORDER BY 1, 2
                ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET inbound = t.inbound
                RETURNING t.workspace_id, t.conversation_id, t.inbound
            )
            SELECT array_agg(workspace_id), array_agg(conversation_id), array_agg(inbound) FROM u$q$, changed) INTO ws, ids, counts;
        inbound := 'SELECT * FROM unnest($1::integer[], $2::bigint[], $3::bigint[]) AS i (workspace_id, conversation_id, inbound)';
    END IF;
    EXECUTE conversation_summaries_add(format($q$
        WITH k AS MATERIALIZED (%s),
        n AS (
            SELECT m.workspace_id, m.conversation_id, count(*) AS messages FROM messages m
            WHERE (m.workspace_id, m.conversation_id) IN (SELECT workspace_id, id FROM k)
            GROUP BY 1, 2
        ),
        r AS (
            SELECT k.*, coalesce(i.inbound, 0) > 0 AS replied FROM k
            LEFT JOIN (%s) i ON i.workspace_id = k.workspace_id AND i.conversation_id = k.id
        )
        SELECT r.workspace_id, r.started_at, c.platform, r.inbox_id, r.task_id, r.start_flow_id,
               r.sign AS conversations, r.sign * coalesce(n.messages, 0) AS messages,
               r.sign * r.replied::int AS replied, r.sign * (r.replied AND r.obtained)::int AS obtained,
               r.sign * (r.replied AND r.succeeded)::int AS succeeded
        FROM r
        JOIN contacts c ON c.workspace_id = r.workspace_id AND c.id = r.contact_id
        LEFT JOIN n ON n.workspace_id = r.workspace_id AND n.conversation_id = r.id$q$, changed, inbound)) USING ws, ids, counts;
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

-- The changes of messages, as in migration 8, and the conversations that
-- gain or lose their reply: first the inbound counts (each conversation's
-- row locked), then, in a statement of its own, the deltas against the
-- conversations as they stand.
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
               CASE WHEN v.success_at IS NOT NULL THEN k.flip ELSE 0 END AS succeeded
        FROM unnest($1::integer[], $2::bigint[], $3::bigint[], $4::integer[]) AS k (workspace_id, conversation_id, messages, flip)
        JOIN conversations v ON v.workspace_id = k.workspace_id AND v.id = k.conversation_id
        JOIN contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id$q$) USING ws, ids, counts, flips;
    RETURN NULL;
END
$fn$;

-- As in migration 8; the inbound counts go with the messages.
CREATE OR REPLACE FUNCTION conversation_summaries_truncate_conversations() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM conversation_slots;
    DELETE FROM conversation_hours;
    DELETE FROM conversation_days;
    DELETE FROM conversation_inbound;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION conversation_summaries_truncate_messages() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    UPDATE conversation_slots SET messages = 0, replied = 0, obtained = 0, succeeded = 0
    WHERE messages <> 0 OR replied <> 0 OR obtained <> 0 OR succeeded <> 0;
    UPDATE conversation_hours SET messages = 0, replied = 0, obtained = 0, succeeded = 0
    WHERE messages <> 0 OR replied <> 0 OR obtained <> 0 OR succeeded <> 0;
    UPDATE conversation_days SET messages = 0, replied = 0, obtained = 0, succeeded = 0
    WHERE messages <> 0 OR replied <> 0 OR obtained <> 0 OR succeeded <> 0;
    DELETE FROM conversation_inbound;
    RETURN NULL;
END
$fn$;

-- The messages already there: each conversation's inbound count, then the
-- funnel of each row's conversations (the slots from the conversations, the
-- hours and days from the slots).
INSERT INTO conversation_inbound (workspace_id, conversation_id, inbound)
SELECT workspace_id, conversation_id, count(*) FROM messages WHERE direction = 'inbound' GROUP BY 1, 2;

UPDATE conversation_slots s SET replied = f.replied, obtained = f.obtained, succeeded = f.succeeded
FROM (
    SELECT v.workspace_id, date_bin('15 minutes', v.started_at, timestamptz '2000-01-01 00:00:00+00') AS slot, c.platform, v.inbox_id,
           v.task_id, v.start_flow_id, count(*) AS replied, count(*) FILTER (WHERE v.contact_obtained_at IS NOT NULL) AS obtained,
           count(*) FILTER (WHERE v.success_at IS NOT NULL) AS succeeded
    FROM conversations v
    JOIN contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id
    JOIN conversation_inbound i ON i.workspace_id = v.workspace_id AND i.conversation_id = v.id
    GROUP BY 1, 2, 3, 4, 5, 6
) f
WHERE s.workspace_id = f.workspace_id AND s.slot = f.slot AND s.platform = f.platform AND s.inbox_id = f.inbox_id
    AND s.task_id IS NOT DISTINCT FROM f.task_id AND s.start_flow_id IS NOT DISTINCT FROM f.start_flow_id;
UPDATE conversation_hours s SET replied = f.replied, obtained = f.obtained, succeeded = f.succeeded
FROM (
    SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00') AS hour, platform, inbox_id, task_id, start_flow_id,
           sum(replied) AS replied, sum(obtained) AS obtained, sum(succeeded) AS succeeded
    FROM conversation_slots GROUP BY 1, 2, 3, 4, 5, 6
) f
WHERE s.workspace_id = f.workspace_id AND s.hour = f.hour AND s.platform = f.platform AND s.inbox_id = f.inbox_id
    AND s.task_id IS NOT DISTINCT FROM f.task_id AND s.start_flow_id IS NOT DISTINCT FROM f.start_flow_id;
UPDATE conversation_days s SET replied = f.replied, obtained = f.obtained, succeeded = f.succeeded
FROM (
    SELECT workspace_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00') AS day, platform, inbox_id, task_id, start_flow_id,
           sum(replied) AS replied, sum(obtained) AS obtained, sum(succeeded) AS succeeded
    FROM conversation_hours GROUP BY 1, 2, 3, 4, 5, 6
) f
WHERE s.workspace_id = f.workspace_id AND s.day = f.day AND s.platform = f.platform AND s.inbox_id = f.inbox_id
    AND s.task_id IS NOT DISTINCT FROM f.task_id AND s.start_flow_id IS NOT DISTINCT FROM f.start_flow_id;
