-- Agent messages (sender = 'agent') per sending agent, per 15-minute slot
-- and per UTC hour and day, so that agent messages by agent, team, platform
-- or inbox read a few summary rows per day and agent instead of every message
-- of the range: the message summaries of migrations 3 and 5 keep no agent.
--
-- Slots, hours and days are aligned on UTC like those of migrations 3 and 5
-- (date_bin from 2000-01-01 00:00 UTC); the query side (package sqlbuild,
-- summary.go) reads them the same way, and the raw messages of the partial
-- slots at a range's edges.
--
-- The team is not kept: a message's team is its agent's team as the agent's
-- record has it now (docs/metrics.md, agent_messages), so queries join the
-- agent and its team when they read these rows. The platform and inbox are
-- copied from the message's contact and conversation, which never change them
-- once written (as in migration 3).
--
-- Statement-level triggers on messages with transition tables keep the three
-- tables exact as rows arrive (INSERT and COPY alike, late rows into old slots
-- included), change (agent, time, sender, conversation) or go, and empty them
-- on TRUNCATE. They are triggers of their own, beside those of migrations 3
-- and 5, and read only the agent messages of each statement.

CREATE TABLE agent_message_slots (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    slot         timestamptz NOT NULL,
    agent_id     bigint NOT NULL,
    platform     text NOT NULL,
    inbox_id     bigint NOT NULL,
    messages     bigint NOT NULL,
    PRIMARY KEY (workspace_id, slot, agent_id, platform, inbox_id)
);

CREATE TABLE agent_message_hours (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    hour         timestamptz NOT NULL,
    agent_id     bigint NOT NULL,
    platform     text NOT NULL,
    inbox_id     bigint NOT NULL,
    messages     bigint NOT NULL,
    PRIMARY KEY (workspace_id, hour, agent_id, platform, inbox_id)
);

CREATE TABLE agent_message_days (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    day          timestamptz NOT NULL,
    agent_id     bigint NOT NULL,
    platform     text NOT NULL,
    inbox_id     bigint NOT NULL,
    messages     bigint NOT NULL,
    PRIMARY KEY (workspace_id, day, agent_id, platform, inbox_id)
);

-- agent_message_summaries_maintain adds a statement's agent messages (+1 for
-- each row that arrived, -1 for each that went; an update is both, so a change
-- that moves nothing nets to zero) to the three levels in one statement, and
-- after an update or delete drops the rows it emptied. Only the agent messages
-- of the transition tables are joined and grouped, so a load of mostly contact
-- and bot messages pays little more than one scan of them. The grouped deltas
-- (not the batch) are sorted by key, so that concurrent writers lock summary
-- rows in the same order.
CREATE FUNCTION agent_message_summaries_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' AS $fn$
DECLARE
    cols constant text := 'workspace_id, conversation_id, contact_id, agent_id, created_at';
    changed text;
BEGIN
    CASE TG_OP
    WHEN 'INSERT' THEN
        changed := format('SELECT %s, 1 AS sign FROM new_rows WHERE sender = ''agent''', cols);
    WHEN 'DELETE' THEN
        changed := format('SELECT %s, -1 AS sign FROM old_rows WHERE sender = ''agent''', cols);
    WHEN 'UPDATE' THEN
        changed := format('SELECT %1$s, -1 AS sign FROM old_rows WHERE sender = ''agent'''
            ' UNION ALL SELECT %1$s, 1 FROM new_rows WHERE sender = ''agent''', cols);
    END CASE;
    EXECUTE format($q$
        WITH d AS MATERIALIZED (
            SELECT d.workspace_id, date_bin('15 minutes', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS slot,
                   d.agent_id, c.platform, v.inbox_id, sum(d.sign) AS messages
            FROM (%s) d
            JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id
            JOIN conversations v ON v.workspace_id = d.workspace_id AND v.id = d.conversation_id
            GROUP BY 1, 2, 3, 4, 5 HAVING sum(d.sign) <> 0
        ), slots AS (
            INSERT INTO agent_message_slots AS s (workspace_id, slot, agent_id, platform, inbox_id, messages)
            SELECT * FROM d ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (workspace_id, slot, agent_id, platform, inbox_id) DO UPDATE SET messages = s.messages + EXCLUDED.messages
        ), hours AS (
            INSERT INTO agent_message_hours AS s (workspace_id, hour, agent_id, platform, inbox_id, messages)
            SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), agent_id, platform, inbox_id, sum(messages)
            FROM d GROUP BY 1, 2, 3, 4, 5 HAVING sum(messages) <> 0 ORDER BY 1, 2, 3, 4, 5
            ON CONFLICT (workspace_id, hour, agent_id, platform, inbox_id) DO UPDATE SET messages = s.messages + EXCLUDED.messages
        )
        INSERT INTO agent_message_days AS s (workspace_id, day, agent_id, platform, inbox_id, messages)
        SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), agent_id, platform, inbox_id, sum(messages)
        FROM d GROUP BY 1, 2, 3, 4, 5 HAVING sum(messages) <> 0 ORDER BY 1, 2, 3, 4, 5
        ON CONFLICT (workspace_id, day, agent_id, platform, inbox_id) DO UPDATE SET messages = s.messages + EXCLUDED.messages$q$, changed);
    IF TG_OP <> 'INSERT' THEN
        -- Rows went or moved: drop the summary rows they emptied, at each level.
        EXECUTE format($q$
            DELETE FROM agent_message_slots s USING (SELECT DISTINCT workspace_id, date_bin('15 minutes', created_at, timestamptz '2000-01-01 00:00:00+00') AS t FROM (%s) d) k
            WHERE s.workspace_id = k.workspace_id AND s.slot = k.t AND s.messages = 0$q$, changed);
        EXECUTE format($q$
            DELETE FROM agent_message_hours s USING (SELECT DISTINCT workspace_id, date_bin('1 hour', created_at, timestamptz '2000-01-01 00:00:00+00') AS t FROM (%s) d) k
            WHERE s.workspace_id = k.workspace_id AND s.hour = k.t AND s.messages = 0$q$, changed);
        EXECUTE format($q$
            DELETE FROM agent_message_days s USING (SELECT DISTINCT workspace_id, date_bin('1 day', created_at, timestamptz '2000-01-01 00:00:00+00') AS t FROM (%s) d) k
            WHERE s.workspace_id = k.workspace_id AND s.day = k.t AND s.messages = 0$q$, changed);
    END IF;
    RETURN NULL;
END
$fn$;

-- DELETE rather than TRUNCATE: a TRUNCATE ... CASCADE from workspaces is
-- already emptying these tables, and TRUNCATE refuses a table in use.
CREATE FUNCTION agent_message_summaries_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM agent_message_slots;
    DELETE FROM agent_message_hours;
    DELETE FROM agent_message_days;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER messages_agent_summaries_insert AFTER INSERT ON messages
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agent_message_summaries_maintain();
CREATE TRIGGER messages_agent_summaries_update AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION agent_message_summaries_maintain();
CREATE TRIGGER messages_agent_summaries_delete AFTER DELETE ON messages
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION agent_message_summaries_maintain();
CREATE TRIGGER messages_agent_summaries_truncate AFTER TRUNCATE ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION agent_message_summaries_truncate();

-- Like the summaries' other triggers, also under session_replication_role =
-- replica (a bulk load that skips the foreign-key triggers).
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_agent_summaries_insert;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_agent_summaries_update;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_agent_summaries_delete;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_agent_summaries_truncate;

-- The agent messages already there: the slots from the messages, the hours
-- from the slots and the days from the hours (sums of whole units).
INSERT INTO agent_message_slots (workspace_id, slot, agent_id, platform, inbox_id, messages)
SELECT m.workspace_id, date_bin('15 minutes', m.created_at, timestamptz '2000-01-01 00:00:00+00'), m.agent_id, c.platform, v.inbox_id, count(*)
FROM messages m
JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
JOIN conversations v ON v.workspace_id = m.workspace_id AND v.id = m.conversation_id
WHERE m.sender = 'agent'
GROUP BY 1, 2, 3, 4, 5;
INSERT INTO agent_message_hours (workspace_id, hour, agent_id, platform, inbox_id, messages)
SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), agent_id, platform, inbox_id, sum(messages)
FROM agent_message_slots GROUP BY 1, 2, 3, 4, 5;
INSERT INTO agent_message_days (workspace_id, day, agent_id, platform, inbox_id, messages)
SELECT workspace_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), agent_id, platform, inbox_id, sum(messages)
FROM agent_message_hours GROUP BY 1, 2, 3, 4, 5;
