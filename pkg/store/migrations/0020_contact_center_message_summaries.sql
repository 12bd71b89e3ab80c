-- Contact-center messages per unit: the messages sent or received while
-- their conversation had an open assignment (one created at or before the
-- message and not ended by then), per 15-minute slot, UTC hour and day, and
-- per the contact's platform, the conversation's inbox and the sender. The
-- metric read every message of the range with a probe of its conversation's
-- assignments (1.2 s over 30 days at scale M).
--
-- Whether a message counts depends on assignments that other transactions
-- may be writing at the same time, and an assignment that arrives, ends or
-- goes changes whether its conversation's messages count. So both triggers
-- go through the conversation's row of conversation_inbound (migration 16)
-- with INSERT ... ON CONFLICT DO UPDATE, adding nothing: that locks it to
-- the end of the transaction, and a later statement (a fresh snapshot under
-- READ COMMITTED) sees what the other writer committed. On messages, the
-- messages that arrived and went count against the assignments as they are
-- then; on assignments, each changed conversation's messages count against
-- its assignments now and as they were before the statement, and the
-- difference is applied. Under REPEATABLE READ the second writer fails with
-- a serialization error instead, which its retry resolves.

CREATE TABLE cc_message_slots (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    slot         timestamptz NOT NULL,
    platform     text NOT NULL,
    inbox_id     bigint NOT NULL,
    sender       text NOT NULL,
    messages     bigint NOT NULL,
    PRIMARY KEY (workspace_id, slot, platform, inbox_id, sender)
);

CREATE TABLE cc_message_hours (LIKE cc_message_slots INCLUDING ALL);
ALTER TABLE cc_message_hours RENAME COLUMN slot TO hour;
ALTER TABLE cc_message_hours ADD FOREIGN KEY (workspace_id) REFERENCES workspaces (id);
CREATE TABLE cc_message_days (LIKE cc_message_slots INCLUDING ALL);
ALTER TABLE cc_message_days RENAME COLUMN slot TO day;
ALTER TABLE cc_message_days ADD FOREIGN KEY (workspace_id) REFERENCES workspaces (id);

-- The messages of messages (a SELECT of workspace_id, conversation_id,
-- contact_id, created_at, sender, sign) that an assignment of assignments
-- (a SELECT of workspace_id, conversation_id, created_at, ended_at) held
-- open at their time, as the deltas of the three levels: workspace_id, at,
-- platform, inbox_id, sender, n (the sign).
CREATE FUNCTION cc_messages_covered(messages text, assignments text) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
SELECT format($q$
    SELECT d.workspace_id, d.created_at AS at, c.platform, v.inbox_id, d.sender, d.sign AS n
    FROM (%s) d
    JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id
    JOIN conversations v ON v.workspace_id = d.workspace_id AND v.id = d.conversation_id
    WHERE EXISTS (SELECT 1 FROM (%s) oa WHERE oa.workspace_id = d.workspace_id AND oa.conversation_id = d.conversation_id
                  AND oa.created_at <= d.created_at AND (oa.ended_at IS NULL OR oa.ended_at > d.created_at))$q$, messages, assignments)
$fn$;

-- The statements that add deltas (a SELECT of workspace_id, at, the
-- dimensions dims, n and, when summed is given, total) to the slot, hour and
-- day tables of prefix, whose column counted adds up n and summed total: in
-- key order, so that concurrent writers lock summary rows in the same order;
-- and, when rows went, the one that removes the rows whose count is zero.
-- The summaries of counts and sums of migrations 20 to 22 share it.
CREATE FUNCTION summary_levels_statements(prefix text, dims text, counted text, summed text, deltas text, removing boolean)
RETURNS SETOF text
LANGUAGE plpgsql IMMUTABLE AS $fn$
DECLARE
    units constant text[] := ARRAY['slots', 'slot', '15 minutes', 'hours', 'hour', '1 hour', 'days', 'day', '1 day'];
    extra constant text := CASE WHEN dims = '' THEN '' ELSE ', ' || dims END;
    sum_column constant text := CASE WHEN summed IS NULL THEN '' ELSE format(', %I', summed) END;
    sum_value constant text := CASE WHEN summed IS NULL THEN '' ELSE ', sum(total)' END;
    sum_update constant text := CASE WHEN summed IS NULL THEN '' ELSE format(', %1$I = s.%1$I + EXCLUDED.%1$I', summed) END;
    changed constant text := CASE WHEN summed IS NULL THEN 'sum(n) <> 0' ELSE 'sum(n) <> 0 OR sum(total) <> 0' END;
    adds text := '';
    empties text := '';
    i integer;
BEGIN
    FOR i IN 0..2 LOOP
        adds := adds || format($q$, %1$s AS (
            INSERT INTO %1$s AS s (workspace_id, %2$I%4$s, %5$I%6$s)
            SELECT workspace_id, date_bin(%3$L, at, timestamptz '2000-01-01 00:00:00+00') AS t%4$s, sum(n)%7$s
            FROM d GROUP BY workspace_id, t%4$s HAVING %8$s ORDER BY workspace_id, t%4$s
            ON CONFLICT (workspace_id, %2$I%4$s) DO UPDATE SET %5$I = s.%5$I + EXCLUDED.%5$I%9$s)$q$,
            prefix || '_' || units[i * 3 + 1], units[i * 3 + 2], units[i * 3 + 3], extra, counted, sum_column, sum_value, changed, sum_update);
        empties := empties || format($q$, %1$s AS (
            DELETE FROM %1$s s USING (SELECT DISTINCT workspace_id, date_bin(%3$L, at, timestamptz '2000-01-01 00:00:00+00') AS t FROM d) k
            WHERE s.workspace_id = k.workspace_id AND s.%2$I = k.t AND s.%4$I = 0)$q$,
            prefix || '_' || units[i * 3 + 1], units[i * 3 + 2], units[i * 3 + 3], counted);
    END LOOP;
    -- Each statement ends with a SELECT so that its data-modifying parts run.
    RETURN NEXT format('WITH d AS MATERIALIZED (%s)%s SELECT', deltas, adds);
    IF removing THEN
        RETURN NEXT format('WITH d AS MATERIALIZED (%s)%s SELECT', deltas, empties);
    END IF;
END
$fn$;

-- The statements that add deltas (as cc_messages_covered gives them) to the
-- three levels, and remove the rows left at zero.
CREATE FUNCTION cc_message_levels_add(deltas text, removing boolean) RETURNS SETOF text
LANGUAGE sql IMMUTABLE AS $fn$
SELECT summary_levels_statements('cc_message', 'platform, inbox_id, sender', 'messages', NULL, deltas, removing)
$fn$;

-- A statement trigger's changed rows, as a SELECT of the transition tables'
-- cols for the rows that meet filter, with sign 1 for each that arrived and
-- -1 for each that went; an updated row that kept every one of cols changes
-- nothing. The triggers of migrations 20 to 22 share it.
CREATE FUNCTION statement_changes(op text, cols text, filter text) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
SELECT CASE op
    WHEN 'INSERT' THEN format('SELECT %s, 1 AS sign FROM new_rows WHERE %s', cols, filter)
    WHEN 'DELETE' THEN format('SELECT %s, -1 AS sign FROM old_rows WHERE %s', cols, filter)
    ELSE format('SELECT *, 1 AS sign FROM (SELECT %1$s FROM new_rows WHERE %2$s EXCEPT ALL SELECT %1$s FROM old_rows WHERE %2$s) a'
        ' UNION ALL SELECT *, -1 FROM (SELECT %1$s FROM old_rows WHERE %2$s EXCEPT ALL SELECT %1$s FROM new_rows WHERE %2$s) w', cols, filter)
END
$fn$;

-- The trigger on messages: the messages that arrived and went (an update
-- that keeps a message's conversation, contact, time and sender changes
-- nothing), their conversations' rows locked, then those of them an
-- assignment held open counted.
CREATE FUNCTION cc_messages_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' SET jit = off AS $fn$
DECLARE
    changed constant text := statement_changes(TG_OP, 'workspace_id, conversation_id, contact_id, created_at, sender', 'true');
    locked bigint;
    statement text;
BEGIN
    EXECUTE format($q$
        WITH u AS (
            INSERT INTO conversation_inbound AS t (workspace_id, conversation_id, inbound)
            SELECT DISTINCT workspace_id, conversation_id, 0 FROM (%s) k ORDER BY 1, 2
            ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET inbound = t.inbound
            RETURNING 1
        )
        SELECT count(*) FROM u$q$, changed) INTO locked;
    IF locked = 0 THEN
        RETURN NULL;
    END IF;
    FOR statement IN SELECT cc_message_levels_add(
        cc_messages_covered(changed, 'SELECT workspace_id, conversation_id, created_at, ended_at FROM assignments'), TG_OP <> 'INSERT')
    LOOP
        EXECUTE statement;
    END LOOP;
    RETURN NULL;
END
$fn$;

-- The trigger on assignments: the conversations whose assignments changed,
-- their rows locked, then their messages counted against the assignments
-- now (+1) and as they were before the statement (-1).
CREATE FUNCTION cc_messages_assignments() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' SET jit = off AS $fn$
DECLARE
    cols constant text := 'workspace_id, conversation_id, created_at, ended_at';
    arrived text := 'SELECT NULL::integer AS workspace_id, NULL::bigint AS conversation_id, NULL::timestamptz AS created_at, NULL::timestamptz AS ended_at WHERE false';
    went text := arrived;
    locked bigint;
    statement text;
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        arrived := format('SELECT %s FROM new_rows', cols);
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        went := format('SELECT %s FROM old_rows', cols);
    END IF;
    EXECUTE format($q$
        WITH u AS (
            INSERT INTO conversation_inbound AS t (workspace_id, conversation_id, inbound)
            SELECT DISTINCT workspace_id, conversation_id, 0
            FROM ((%1$s EXCEPT ALL %2$s) UNION ALL (%2$s EXCEPT ALL %1$s)) k ORDER BY 1, 2
            ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET inbound = t.inbound
            RETURNING 1
        )
        SELECT count(*) FROM u$q$, arrived, went) INTO locked;
    IF locked = 0 THEN
        RETURN NULL;
    END IF;
    -- The changed conversations' messages, and their assignments now and
    -- before the statement (less what arrived, plus what went).
    FOR statement IN SELECT cc_message_levels_add(format($q$
        WITH k AS MATERIALIZED (SELECT DISTINCT workspace_id, conversation_id FROM ((%1$s) UNION ALL (%2$s)) x),
        m AS MATERIALIZED (
            SELECT m.workspace_id, m.conversation_id, m.contact_id, m.created_at, m.sender FROM messages m
            WHERE (m.workspace_id, m.conversation_id) IN (SELECT workspace_id, conversation_id FROM k)
        ),
        now_assignments AS MATERIALIZED (
            SELECT a.workspace_id, a.conversation_id, a.created_at, a.ended_at FROM assignments a
            WHERE (a.workspace_id, a.conversation_id) IN (SELECT workspace_id, conversation_id FROM k)
        ),
        before_assignments AS MATERIALIZED (
            SELECT * FROM now_assignments EXCEPT ALL %1$s UNION ALL %2$s
        )
        %3$s UNION ALL %4$s$q$, arrived, went,
        cc_messages_covered('SELECT *, 1 AS sign FROM m', 'TABLE now_assignments'),
        cc_messages_covered('SELECT *, -1 AS sign FROM m', 'TABLE before_assignments')), true)
    LOOP
        EXECUTE statement;
    END LOOP;
    RETURN NULL;
END
$fn$;

-- DELETE rather than TRUNCATE, as for the other summaries.
CREATE FUNCTION cc_messages_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM cc_message_slots;
    DELETE FROM cc_message_hours;
    DELETE FROM cc_message_days;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER messages_cc_messages_insert AFTER INSERT ON messages
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cc_messages_maintain();
CREATE TRIGGER messages_cc_messages_update AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cc_messages_maintain();
CREATE TRIGGER messages_cc_messages_delete AFTER DELETE ON messages
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cc_messages_maintain();
CREATE TRIGGER messages_cc_messages_truncate AFTER TRUNCATE ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION cc_messages_truncate();
CREATE TRIGGER assignments_cc_messages_insert AFTER INSERT ON assignments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cc_messages_assignments();
CREATE TRIGGER assignments_cc_messages_update AFTER UPDATE ON assignments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION cc_messages_assignments();
CREATE TRIGGER assignments_cc_messages_delete AFTER DELETE ON assignments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION cc_messages_assignments();
CREATE TRIGGER assignments_cc_messages_truncate AFTER TRUNCATE ON assignments
    FOR EACH STATEMENT EXECUTE FUNCTION cc_messages_truncate();

-- Also under session_replication_role = replica (a bulk load).
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_cc_messages_insert;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_cc_messages_update;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_cc_messages_delete;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_cc_messages_truncate;
ALTER TABLE assignments ENABLE ALWAYS TRIGGER assignments_cc_messages_insert;
ALTER TABLE assignments ENABLE ALWAYS TRIGGER assignments_cc_messages_update;
ALTER TABLE assignments ENABLE ALWAYS TRIGGER assignments_cc_messages_delete;
ALTER TABLE assignments ENABLE ALWAYS TRIGGER assignments_cc_messages_truncate;

-- The messages already there.
DO $$
DECLARE
    statement text;
BEGIN
    FOR statement IN SELECT cc_message_levels_add(cc_messages_covered(
        'SELECT workspace_id, conversation_id, contact_id, created_at, sender, 1 AS sign FROM messages',
        'SELECT workspace_id, conversation_id, created_at, ended_at FROM assignments'), false)
    LOOP
        EXECUTE statement;
    END LOOP;
END
$$;
