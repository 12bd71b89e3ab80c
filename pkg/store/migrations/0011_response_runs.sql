-- The operator response time's runs, kept exact by statement-level triggers
-- on messages, so that its metrics read one row per answered run in the
-- range instead of numbering every message of every conversation with an
-- agent message in it (5 to 6 s over 30 days at scale M).
--
-- A run is what package sqlbuild's raw rows compute (responseRuns): each
-- message of a conversation gets the number of outbound messages before it
-- (ordered by time, then id); the inbound messages with one number form a
-- run, and the outbound message with that number answered it. A run counts
-- when an agent's message answered it (agent_id is set exactly on those), and
-- is timed from its first inbound message to that reply.
--
-- A run depends only on the messages of its conversation, so a statement on
-- messages recomputes the runs of every conversation it touched: a late
-- message can split a run or join two, an edited time can reorder them, a
-- deleted reply merges its run into the next one. The agent's name and the
-- contact's platform are read at query time through agent_id and contact_id,
-- so renaming an agent needs no maintenance here.

CREATE TABLE response_runs (
    workspace_id    integer NOT NULL REFERENCES workspaces (id),
    conversation_id bigint NOT NULL,
    contact_id      bigint NOT NULL,
    agent_id        bigint NOT NULL,
    run_started_at  timestamptz NOT NULL,
    replied_at      timestamptz NOT NULL
);
-- The metrics read a range of replies: an index-only scan of this.
CREATE INDEX response_runs_time_idx ON response_runs (workspace_id, replied_at) INCLUDE (agent_id, contact_id, run_started_at);
-- The triggers replace a conversation's runs.
CREATE INDEX response_runs_conversation_idx ON response_runs (workspace_id, conversation_id);

-- response_runs_of is the statement that computes the runs of the
-- conversations listed by keys (a SELECT of workspace_id, conversation_id).
-- It finds the same runs as the raw rows' numbering and grouping, in one
-- ordered pass instead of a second sort: in each conversation's messages in
-- time order (ties by id), an agent's message answers a run when the message
-- before it is inbound, and the run started at the latest inbound message
-- whose predecessor is not inbound (or that is the first). A conversation's
-- messages all carry its contact (docs/schema.md, messages.contact_id), so
-- the contact is the reply's. Partitioned by workspace as well, since here no
-- query fences one workspace.
CREATE FUNCTION response_runs_of(keys text) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
SELECT format($q$
    SELECT r.workspace_id, r.conversation_id, r.contact_id, r.agent_id, r.run_started_at, r.created_at
    FROM (SELECT s.*, max(s.starts) OVER (PARTITION BY s.workspace_id, s.conversation_id ORDER BY s.created_at, s.id) AS run_started_at
          FROM (SELECT m.workspace_id, m.conversation_id, m.contact_id, m.agent_id, m.created_at, m.id,
                       lag(m.direction) OVER w AS previous,
                       CASE WHEN m.direction = 'inbound' AND lag(m.direction) OVER w IS DISTINCT FROM 'inbound' THEN m.created_at END AS starts
                FROM messages m
                WHERE (m.workspace_id, m.conversation_id) IN (%s)
                WINDOW w AS (PARTITION BY m.workspace_id, m.conversation_id ORDER BY m.created_at, m.id)) s) r
    WHERE r.agent_id IS NOT NULL AND r.previous = 'inbound'$q$, keys)
$fn$;

-- The conversations a statement touched: for an update, only those of rows
-- whose conversation, contact, direction, agent, time or id changed (an
-- edited text or cost moves no run). Each statement's runs of those
-- conversations are deleted and computed again from the messages. Writers of
-- one conversation take its lock (one of 1,024, in order, so never a
-- deadlock) before reading the messages: the second one then sees the first
-- one's rows once it commits, and no run is lost between two feeds.
CREATE FUNCTION response_runs_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' AS $fn$
DECLARE
    cols constant text := 'workspace_id, id, conversation_id, contact_id, direction, agent_id, created_at';
    changed text;
BEGIN
    CASE TG_OP
    WHEN 'INSERT' THEN
        changed := 'SELECT workspace_id, conversation_id FROM new_rows';
    WHEN 'DELETE' THEN
        changed := 'SELECT workspace_id, conversation_id FROM old_rows';
    WHEN 'UPDATE' THEN
        changed := format('SELECT workspace_id, conversation_id FROM ((SELECT %1$s FROM old_rows EXCEPT ALL SELECT %1$s FROM new_rows)
            UNION ALL (SELECT %1$s FROM new_rows EXCEPT ALL SELECT %1$s FROM old_rows)) c', cols);
    END CASE;
    changed := format('SELECT DISTINCT workspace_id, conversation_id FROM (%s) k', changed);
    EXECUTE format('SELECT pg_advisory_xact_lock(hashtext(''response_runs''), b)
        FROM (SELECT DISTINCT hashint8(conversation_id) & 1023 AS b FROM (%s) k ORDER BY 1) l', changed);
    -- A statement of its own, so that it sees the rows of a writer that
    -- held a lock until it committed.
    EXECUTE format('WITH k AS MATERIALIZED (%s),
        gone AS (DELETE FROM response_runs r USING k WHERE r.workspace_id = k.workspace_id AND r.conversation_id = k.conversation_id)
        INSERT INTO response_runs (workspace_id, conversation_id, contact_id, agent_id, run_started_at, replied_at) %s',
        changed, response_runs_of('SELECT workspace_id, conversation_id FROM k'));
    RETURN NULL;
END
$fn$;

-- DELETE rather than TRUNCATE: a TRUNCATE ... CASCADE from workspaces is
-- already emptying the table, and TRUNCATE refuses a table in use.
CREATE FUNCTION response_runs_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM response_runs;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER messages_response_runs_insert AFTER INSERT ON messages
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION response_runs_maintain();
CREATE TRIGGER messages_response_runs_update AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION response_runs_maintain();
CREATE TRIGGER messages_response_runs_delete AFTER DELETE ON messages
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION response_runs_maintain();
CREATE TRIGGER messages_response_runs_truncate AFTER TRUNCATE ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION response_runs_truncate();

-- Like the summaries' triggers, also under session_replication_role = replica.
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_response_runs_insert;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_response_runs_update;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_response_runs_delete;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_response_runs_truncate;

-- The messages already there.
DO $$
BEGIN
    EXECUTE 'INSERT INTO response_runs (workspace_id, conversation_id, contact_id, agent_id, run_started_at, replied_at) '
        || response_runs_of('SELECT workspace_id, id FROM conversations');
END
$$;
