-- The dialogs' facts about each conversation's messages, kept beside its
-- inbound count in conversation_inbound: how many messages it has and the
-- last one's time (whether the contact replied is its inbound count above
-- 0). A page of the dialogs table (records, up to 10,000 conversations) read
-- every message of each of its conversations for these three columns: over
-- the 1,000 dialogs of a 30-day page at scale M, 18 ms of about 50. It now
-- reads one row per conversation.
--
-- The writers are those of the inbound count (migration 16), which locks the
-- row with INSERT ... ON CONFLICT DO UPDATE:
--
-- - an insert of messages adds them per conversation and raises the last
--   time to the newest of them (greatest ignores a null);
-- - a delete or an update first writes the same rows (every conversation
--   its old rows belong to, whether or not a count changes, which locks
--   them), then, in a later statement with a fresh snapshot under READ
--   COMMITTED, reads the newest message of each of those conversations
--   again, since removing or moving a message can lower a maximum. A writer
--   that inserts into one of them at the same time either committed before
--   the lock, and its messages are in that snapshot, or waits for the lock
--   and raises the time read with its own.
--
-- A truncate of the messages sets both to 0 and null, as the inbound count.

ALTER TABLE conversation_inbound ADD COLUMN messages bigint NOT NULL DEFAULT 0, ADD COLUMN last_message_at timestamptz;

-- As in migration 24, with the messages and their newest time, a row for
-- every conversation a statement touches, and the newest time read again
-- after a delete or an update.
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
        changed := 'SELECT workspace_id, conversation_id, count(*) AS messages, count(*) FILTER (WHERE direction = ''inbound'') AS inbound,'
            ' max(created_at) AS last_message_at FROM new_rows GROUP BY 1, 2';
    WHEN 'DELETE' THEN
        changed := 'SELECT workspace_id, conversation_id, -count(*) AS messages, -count(*) FILTER (WHERE direction = ''inbound'') AS inbound,'
            ' NULL::timestamptz AS last_message_at FROM old_rows GROUP BY 1, 2';
    WHEN 'UPDATE' THEN
        -- No HAVING: a conversation whose counts do not change still has its
        -- row locked, for the newest time read again below.
        changed := 'SELECT workspace_id, conversation_id, sum(sign) AS messages, coalesce(sum(sign) FILTER (WHERE direction = ''inbound''), 0) AS inbound,'
            ' max(created_at) FILTER (WHERE sign > 0) AS last_message_at'
            ' FROM (SELECT workspace_id, conversation_id, direction, created_at, -1 AS sign FROM old_rows'
            ' UNION ALL SELECT workspace_id, conversation_id, direction, created_at, 1 FROM new_rows) u GROUP BY 1, 2';
    END CASE;
    EXECUTE format($q$
        WITH k AS MATERIALIZED (%s),
        u AS (
            INSERT INTO conversation_inbound AS t (workspace_id, conversation_id, inbound, messages, last_message_at)
            SELECT workspace_id, conversation_id, inbound, messages, last_message_at FROM k ORDER BY 1, 2
            ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET inbound = t.inbound + EXCLUDED.inbound,
                messages = t.messages + EXCLUDED.messages, last_message_at = greatest(t.last_message_at, EXCLUDED.last_message_at)
            RETURNING t.workspace_id, t.conversation_id, t.inbound
        )
        SELECT array_agg(k.workspace_id), array_agg(k.conversation_id), array_agg(k.messages),
               array_agg(CASE WHEN u.inbound IS NULL THEN 0 ELSE sign(u.inbound) - sign(u.inbound - k.inbound) END)
        FROM k LEFT JOIN u ON u.workspace_id = k.workspace_id AND u.conversation_id = k.conversation_id
        WHERE k.messages <> 0 OR k.inbound <> 0$q$, changed)
        INTO ws, ids, counts, flips;
    IF TG_OP <> 'INSERT' THEN
        UPDATE conversation_inbound t SET last_message_at = (
            SELECT max(m.created_at) FROM messages m WHERE m.workspace_id = t.workspace_id AND m.conversation_id = t.conversation_id)
        WHERE (t.workspace_id, t.conversation_id) IN (SELECT workspace_id, conversation_id FROM old_rows);
    END IF;
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

-- As in migration 36, the messages and their newest time too.
CREATE OR REPLACE FUNCTION conversation_summaries_truncate_messages() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
DECLARE
    tab text;
BEGIN
    FOREACH tab IN ARRAY ARRAY['conversation_slots', 'conversation_hours', 'conversation_days',
                               'conversation_inbox_slots', 'conversation_inbox_hours', 'conversation_inbox_days'] LOOP
        EXECUTE format('UPDATE %I SET messages = 0, replied = 0, obtained = 0, succeeded = 0'
            ' WHERE messages <> 0 OR replied <> 0 OR obtained <> 0 OR succeeded <> 0', tab);
    END LOOP;
    UPDATE conversation_inbound SET inbound = 0, messages = 0, last_message_at = NULL
    WHERE inbound <> 0 OR messages <> 0 OR last_message_at IS NOT NULL;
    RETURN NULL;
END
$fn$;

-- The messages already there.
INSERT INTO conversation_inbound AS t (workspace_id, conversation_id, inbound, messages, last_message_at)
SELECT workspace_id, conversation_id, 0, count(*), max(created_at) FROM messages GROUP BY 1, 2 ORDER BY 1, 2
ON CONFLICT (workspace_id, conversation_id) DO UPDATE SET messages = EXCLUDED.messages, last_message_at = EXCLUDED.last_message_at;

ANALYZE conversation_inbound;
