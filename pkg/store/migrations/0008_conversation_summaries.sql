-- Conversations per start slot, hour and day (aligned on UTC like the
-- message summaries of migrations 3 and 5), per the dimensions the
-- conversation metrics group and filter by on the dashboards (the contact's
-- platform, the inbox, the task and the start flow), with the number of
-- their messages: conversations, start flows and messages per conversation
-- read a few rows per day instead of every conversation of the range and,
-- for the average, a count of every conversation's messages.
--
-- Each row holds, over the conversations that exist and start in its unit
-- with its dimensions, their number and the number of messages that exist
-- and belong to them. Two sets of statement triggers keep that true:
--
-- - on conversations, a conversation that arrives adds 1 and its messages
--   as they stand to its row, one that goes takes them away, and one whose
--   start, contact, inbox, task or start flow changes moves them (other
--   changes, a close or a title, net to nothing and cost no message count);
-- - on messages, a message that arrives adds 1 to its conversation's row as
--   the conversation stands, one that goes takes 1 away, and one moved to
--   another conversation moves it; a late message counts in its
--   conversation's start unit whatever its own time.
--
-- A contact's platform is never changed once written (as migration 3 says).
-- A message whose conversation is missing (a bulk load with foreign keys off
-- that loads messages first) is counted when the conversation arrives.

-- Writers of messages and conversations wait for this migration (reads do
-- not): a statement that began before the new functions and triggers were
-- committed would leave its rows out of what the migration fills. SHARE ROW
-- EXCLUSIVE waits for the transactions that wrote them to end, so the fill
-- sees what they wrote, and holds the next ones back until the new functions
-- and triggers are there for them.
LOCK TABLE messages, conversations IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE conversation_slots (
    workspace_id  integer NOT NULL REFERENCES workspaces (id),
    slot          timestamptz NOT NULL,
    platform      text NOT NULL,
    inbox_id      bigint NOT NULL,
    task_id       bigint,
    start_flow_id bigint,
    conversations bigint NOT NULL,
    messages      bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (workspace_id, slot, platform, inbox_id, task_id, start_flow_id)
);

CREATE TABLE conversation_hours (
    workspace_id  integer NOT NULL REFERENCES workspaces (id),
    hour          timestamptz NOT NULL,
    platform      text NOT NULL,
    inbox_id      bigint NOT NULL,
    task_id       bigint,
    start_flow_id bigint,
    conversations bigint NOT NULL,
    messages      bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (workspace_id, hour, platform, inbox_id, task_id, start_flow_id)
);

CREATE TABLE conversation_days (
    workspace_id  integer NOT NULL REFERENCES workspaces (id),
    day           timestamptz NOT NULL,
    platform      text NOT NULL,
    inbox_id      bigint NOT NULL,
    task_id       bigint,
    start_flow_id bigint,
    conversations bigint NOT NULL,
    messages      bigint NOT NULL,
    UNIQUE NULLS NOT DISTINCT (workspace_id, day, platform, inbox_id, task_id, start_flow_id)
);

-- conversation_summaries_add is the statement that adds deltas (a SELECT of
-- workspace_id, started_at, platform, inbox_id, task_id, start_flow_id,
-- conversations, messages) to the three levels: grouped once by slot, and
-- the (few) slot deltas regrouped by hour and day. Ordered by key, so that
-- concurrent writers lock summary rows in the same order.
CREATE FUNCTION conversation_summaries_add(deltas text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
    RETURN format($q$
    WITH d AS MATERIALIZED (
        SELECT d.workspace_id, date_bin('15 minutes', d.started_at, timestamptz '2000-01-01 00:00:00+00') AS slot, d.platform, d.inbox_id,
               d.task_id, d.start_flow_id, sum(d.conversations) AS conversations, sum(d.messages) AS messages
        FROM (%s) d
        GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(d.conversations) <> 0 OR sum(d.messages) <> 0
    ), slots AS (
        INSERT INTO conversation_slots AS s (workspace_id, slot, platform, inbox_id, task_id, start_flow_id, conversations, messages)
        SELECT * FROM d ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (workspace_id, slot, platform, inbox_id, task_id, start_flow_id) DO UPDATE
        SET conversations = s.conversations + EXCLUDED.conversations, messages = s.messages + EXCLUDED.messages
    ), hours AS (
        INSERT INTO conversation_hours AS s (workspace_id, hour, platform, inbox_id, task_id, start_flow_id, conversations, messages)
        SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, task_id, start_flow_id,
               sum(conversations), sum(messages)
        FROM d GROUP BY 1, 2, 3, 4, 5, 6
        HAVING sum(conversations) <> 0 OR sum(messages) <> 0
        ORDER BY 1, 2, 3, 4, 5, 6
        ON CONFLICT (workspace_id, hour, platform, inbox_id, task_id, start_flow_id) DO UPDATE
        SET conversations = s.conversations + EXCLUDED.conversations, messages = s.messages + EXCLUDED.messages
    )
    INSERT INTO conversation_days AS s (workspace_id, day, platform, inbox_id, task_id, start_flow_id, conversations, messages)
    SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, task_id, start_flow_id,
           sum(conversations), sum(messages)
    FROM d GROUP BY 1, 2, 3, 4, 5, 6
    HAVING sum(conversations) <> 0 OR sum(messages) <> 0
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (workspace_id, day, platform, inbox_id, task_id, start_flow_id) DO UPDATE
    SET conversations = s.conversations + EXCLUDED.conversations, messages = s.messages + EXCLUDED.messages$q$, deltas);
END
$fn$;

-- The changes of conversations: each version that went (-1) or arrived
-- (+1), netted per version so that an update of other columns moves
-- nothing, with its messages as they stand (one probe of the messages'
-- conversation index per moved conversation). Then the emptied rows go.
CREATE FUNCTION conversation_summaries_conversations() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' AS $fn$
DECLARE
    cols constant text := 'workspace_id, id, contact_id, inbox_id, task_id, start_flow_id, started_at';
    changed text;
    unit record;
BEGIN
    CASE TG_OP
    WHEN 'INSERT' THEN
        changed := format('SELECT %s, 1 AS sign FROM new_rows', cols);
    WHEN 'DELETE' THEN
        changed := format('SELECT %s, -1 AS sign FROM old_rows', cols);
    WHEN 'UPDATE' THEN
        changed := format('SELECT %1$s, sum(sign) AS sign FROM (SELECT %1$s, -1 AS sign FROM old_rows UNION ALL SELECT %1$s, 1 FROM new_rows) u'
            ' GROUP BY %1$s HAVING sum(sign) <> 0', cols);
    END CASE;
    EXECUTE conversation_summaries_add(format($q$
        WITH k AS MATERIALIZED (%s),
        n AS (
            SELECT m.workspace_id, m.conversation_id, count(*) AS messages FROM messages m
            WHERE (m.workspace_id, m.conversation_id) IN (SELECT workspace_id, id FROM k)
            GROUP BY 1, 2
        )
        SELECT k.workspace_id, k.started_at, c.platform, k.inbox_id, k.task_id, k.start_flow_id,
               k.sign AS conversations, k.sign * coalesce(n.messages, 0) AS messages
        FROM k
        JOIN contacts c ON c.workspace_id = k.workspace_id AND c.id = k.contact_id
        LEFT JOIN n ON n.workspace_id = k.workspace_id AND n.conversation_id = k.id$q$, changed));
    IF TG_OP <> 'INSERT' THEN
        FOR unit IN SELECT * FROM (VALUES ('conversation_slots', 'slot', '15 minutes'), ('conversation_hours', 'hour', '1 hour'),
                                          ('conversation_days', 'day', '1 day')) AS l (tab, col, grain) LOOP
            EXECUTE format($q$
                DELETE FROM %1$I s USING (SELECT DISTINCT workspace_id, date_bin(%3$L, started_at, timestamptz '2000-01-01 00:00:00+00') AS t
                    FROM old_rows) k
                WHERE s.workspace_id = k.workspace_id AND s.%2$I = k.t AND s.conversations = 0$q$, unit.tab, unit.col, unit.grain);
        END LOOP;
    END IF;
    RETURN NULL;
END
$fn$;

-- The changes of messages: per conversation, the messages that arrived less
-- those that went (an edit of a text or a time nets to nothing), added to
-- the conversation's row as it stands. They never empty a row.
CREATE FUNCTION conversation_summaries_messages() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' AS $fn$
DECLARE
    changed text;
BEGIN
    CASE TG_OP
    WHEN 'INSERT' THEN
        changed := 'SELECT workspace_id, conversation_id, count(*) AS messages FROM new_rows GROUP BY 1, 2';
    WHEN 'DELETE' THEN
        changed := 'SELECT workspace_id, conversation_id, -count(*) AS messages FROM old_rows GROUP BY 1, 2';
    WHEN 'UPDATE' THEN
        changed := 'SELECT workspace_id, conversation_id, sum(sign) AS messages FROM (SELECT workspace_id, conversation_id, -1 AS sign FROM old_rows'
            ' UNION ALL SELECT workspace_id, conversation_id, 1 FROM new_rows) u GROUP BY 1, 2 HAVING sum(sign) <> 0';
    END CASE;
    EXECUTE conversation_summaries_add(format($q$
        SELECT v.workspace_id, v.started_at, c.platform, v.inbox_id, v.task_id, v.start_flow_id, 0 AS conversations, k.messages
        FROM (%s) k
        JOIN conversations v ON v.workspace_id = k.workspace_id AND v.id = k.conversation_id
        JOIN contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id$q$, changed));
    RETURN NULL;
END
$fn$;

-- DELETE and UPDATE rather than TRUNCATE: a TRUNCATE ... CASCADE from
-- workspaces is already emptying the summaries, and TRUNCATE refuses a table
-- in use. Without conversations nothing is left; without messages every
-- conversation has none.
CREATE FUNCTION conversation_summaries_truncate_conversations() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM conversation_slots;
    DELETE FROM conversation_hours;
    DELETE FROM conversation_days;
    RETURN NULL;
END
$fn$;

CREATE FUNCTION conversation_summaries_truncate_messages() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    UPDATE conversation_slots SET messages = 0 WHERE messages <> 0;
    UPDATE conversation_hours SET messages = 0 WHERE messages <> 0;
    UPDATE conversation_days SET messages = 0 WHERE messages <> 0;
    RETURN NULL;
END
$fn$;

-- The conversations and messages already there: each conversation with its
-- messages counted in one pass over them, the hours and days from the slots.
INSERT INTO conversation_slots (workspace_id, slot, platform, inbox_id, task_id, start_flow_id, conversations, messages)
SELECT v.workspace_id, date_bin('15 minutes', v.started_at, timestamptz '2000-01-01 00:00:00+00'), c.platform, v.inbox_id, v.task_id, v.start_flow_id,
       count(*), coalesce(sum(n.messages), 0)
FROM conversations v
JOIN contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id
LEFT JOIN (SELECT workspace_id, conversation_id, count(*) AS messages FROM messages GROUP BY 1, 2) n
    ON n.workspace_id = v.workspace_id AND n.conversation_id = v.id
GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO conversation_hours (workspace_id, hour, platform, inbox_id, task_id, start_flow_id, conversations, messages)
SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, task_id, start_flow_id,
       sum(conversations), sum(messages)
FROM conversation_slots GROUP BY 1, 2, 3, 4, 5, 6;
INSERT INTO conversation_days (workspace_id, day, platform, inbox_id, task_id, start_flow_id, conversations, messages)
SELECT workspace_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, task_id, start_flow_id,
       sum(conversations), sum(messages)
FROM conversation_hours GROUP BY 1, 2, 3, 4, 5, 6;

CREATE TRIGGER conversations_summaries_insert AFTER INSERT ON conversations
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_summaries_conversations();
CREATE TRIGGER conversations_summaries_update AFTER UPDATE ON conversations
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_summaries_conversations();
CREATE TRIGGER conversations_summaries_delete AFTER DELETE ON conversations
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_summaries_conversations();
CREATE TRIGGER conversations_summaries_truncate AFTER TRUNCATE ON conversations
    FOR EACH STATEMENT EXECUTE FUNCTION conversation_summaries_truncate_conversations();
CREATE TRIGGER messages_conversation_summaries_insert AFTER INSERT ON messages
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_summaries_messages();
CREATE TRIGGER messages_conversation_summaries_update AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_summaries_messages();
CREATE TRIGGER messages_conversation_summaries_delete AFTER DELETE ON messages
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION conversation_summaries_messages();
CREATE TRIGGER messages_conversation_summaries_truncate AFTER TRUNCATE ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION conversation_summaries_truncate_messages();

-- Like the message summaries' triggers, also under session_replication_role = replica.
ALTER TABLE conversations ENABLE ALWAYS TRIGGER conversations_summaries_insert;
ALTER TABLE conversations ENABLE ALWAYS TRIGGER conversations_summaries_update;
ALTER TABLE conversations ENABLE ALWAYS TRIGGER conversations_summaries_delete;
ALTER TABLE conversations ENABLE ALWAYS TRIGGER conversations_summaries_truncate;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_conversation_summaries_insert;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_conversation_summaries_update;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_conversation_summaries_delete;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_conversation_summaries_truncate;
