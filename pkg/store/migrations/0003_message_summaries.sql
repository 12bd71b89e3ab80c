-- Summaries of the messages, kept exact by statement-level triggers as rows
-- arrive (INSERT and COPY alike), change or go, so that the usage metrics
-- read a few thousand summary rows instead of every message of the range.
--
-- Slots are 15-minute intervals aligned on UTC (date_bin from 2000-01-01
-- 00:00 UTC): every time zone in use today has an offset that is a multiple of
-- 15 minutes, so each hour, day, week and month of any zone is a union of
-- whole slots. The query side (package sqlbuild, summary.go) checks that every
-- bucket boundary falls on a slot edge, and reads the raw messages for the
-- partial slots at the edges of a range.
--
-- The platform and inbox are copied from the message's contact and
-- conversation when the message arrives: a contact's platform and a
-- conversation's inbox are never changed once written.

-- Messages per slot and per the dimensions the message metrics group and
-- filter by, with the sums of their costs.
CREATE TABLE message_slots (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    slot         timestamptz NOT NULL,
    platform     text NOT NULL,
    inbox_id     bigint NOT NULL,
    direction    text NOT NULL,
    sender       text NOT NULL,
    billable     boolean NOT NULL,
    messages     bigint NOT NULL,
    ai_cost      numeric NOT NULL,
    billing_cost numeric NOT NULL,
    PRIMARY KEY (workspace_id, slot, platform, inbox_id, direction, sender, billable)
);

-- One row per contact, slot and inbox with an inbound message there: a
-- distinct count of contacts over any union of slots is exact, and a burst of
-- messages is one row.
CREATE TABLE contact_slots (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    slot         timestamptz NOT NULL,
    contact_id   bigint NOT NULL,
    inbox_id     bigint NOT NULL,
    platform     text NOT NULL,
    messages     integer NOT NULL,
    PRIMARY KEY (workspace_id, slot, contact_id, inbox_id)
);

-- Messages per clock minute (UTC-aligned), for the peak per minute.
CREATE TABLE message_minutes (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    minute       timestamptz NOT NULL,
    messages     bigint NOT NULL,
    PRIMARY KEY (workspace_id, minute)
);

-- Each contact's first inbound message ever, for new, total and returning users.
CREATE TABLE contact_first_inbound (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    contact_id   bigint NOT NULL,
    platform     text NOT NULL,
    first_at     timestamptz NOT NULL,
    PRIMARY KEY (workspace_id, contact_id)
);
CREATE INDEX contact_first_inbound_time_idx ON contact_first_inbound (workspace_id, first_at) INCLUDE (platform);

-- message_summaries_statements are the statements that add the rows of
-- changed (a SELECT of messages' columns plus sign: 1 for a row that arrived,
-- -1 for one that went) to the summaries. The trigger function runs them
-- itself, because only its own statements see the transition tables.
CREATE FUNCTION message_summaries_statements(changed text, removing boolean) RETURNS SETOF text
LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
    -- Ordered by key, so that concurrent writers lock summary rows in the same order.
    RETURN NEXT format($q$
        INSERT INTO message_slots AS s (workspace_id, slot, platform, inbox_id, direction, sender, billable, messages, ai_cost, billing_cost)
        SELECT d.workspace_id, date_bin('15 minutes', d.created_at, timestamptz '2000-01-01 00:00:00+00'), c.platform, v.inbox_id,
               d.direction, d.sender, d.billable, sum(d.sign), sum(d.sign * d.ai_cost), sum(d.sign * d.billing_cost)
        FROM (%s) d
        JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id
        JOIN conversations v ON v.workspace_id = d.workspace_id AND v.id = d.conversation_id
        GROUP BY 1, 2, 3, 4, 5, 6, 7
        HAVING sum(d.sign) <> 0 OR sum(d.sign * d.ai_cost) <> 0 OR sum(d.sign * d.billing_cost) <> 0
        ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (workspace_id, slot, platform, inbox_id, direction, sender, billable) DO UPDATE
        SET messages = s.messages + EXCLUDED.messages, ai_cost = s.ai_cost + EXCLUDED.ai_cost,
            billing_cost = s.billing_cost + EXCLUDED.billing_cost$q$, changed);

    RETURN NEXT format($q$
        INSERT INTO contact_slots AS s (workspace_id, slot, contact_id, inbox_id, platform, messages)
        SELECT d.workspace_id, date_bin('15 minutes', d.created_at, timestamptz '2000-01-01 00:00:00+00'), d.contact_id, v.inbox_id,
               c.platform, sum(d.sign)
        FROM (%s) d
        JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id
        JOIN conversations v ON v.workspace_id = d.workspace_id AND v.id = d.conversation_id
        WHERE d.direction = 'inbound'
        GROUP BY 1, 2, 3, 4, 5
        HAVING sum(d.sign) <> 0
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (workspace_id, slot, contact_id, inbox_id) DO UPDATE SET messages = s.messages + EXCLUDED.messages$q$, changed);

    RETURN NEXT format($q$
        INSERT INTO message_minutes AS s (workspace_id, minute, messages)
        SELECT d.workspace_id, date_bin('1 minute', d.created_at, timestamptz '2000-01-01 00:00:00+00'), sum(d.sign)
        FROM (%s) d
        GROUP BY 1, 2
        HAVING sum(d.sign) <> 0
        ORDER BY 1, 2
        ON CONFLICT (workspace_id, minute) DO UPDATE SET messages = s.messages + EXCLUDED.messages$q$, changed);

    IF NOT removing THEN
        -- Rows only arrived: a first inbound message can only move earlier.
        RETURN NEXT format($q$
            INSERT INTO contact_first_inbound AS s (workspace_id, contact_id, platform, first_at)
            SELECT d.workspace_id, d.contact_id, c.platform, min(d.created_at)
            FROM (%s) d
            JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id
            WHERE d.direction = 'inbound'
            GROUP BY 1, 2, 3
            ORDER BY 1, 2
            ON CONFLICT (workspace_id, contact_id) DO UPDATE SET first_at = EXCLUDED.first_at
            WHERE EXCLUDED.first_at < s.first_at$q$, changed);
        RETURN;
    END IF;

    -- Rows went or changed: drop the emptied summary rows, and read the
    -- first inbound message of every contact concerned again.
    RETURN NEXT format($q$
        DELETE FROM message_slots s USING (SELECT DISTINCT d.workspace_id, date_bin('15 minutes', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS slot FROM (%s) d) k
        WHERE s.workspace_id = k.workspace_id AND s.slot = k.slot AND s.messages = 0$q$, changed);
    RETURN NEXT format($q$
        DELETE FROM contact_slots s USING (SELECT DISTINCT d.workspace_id, date_bin('15 minutes', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS slot FROM (%s) d) k
        WHERE s.workspace_id = k.workspace_id AND s.slot = k.slot AND s.messages = 0$q$, changed);
    RETURN NEXT format($q$
        DELETE FROM message_minutes s USING (SELECT DISTINCT d.workspace_id, date_bin('1 minute', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS minute FROM (%s) d) k
        WHERE s.workspace_id = k.workspace_id AND s.minute = k.minute AND s.messages = 0$q$, changed);
    RETURN NEXT format($q$
        DELETE FROM contact_first_inbound f USING (SELECT DISTINCT d.workspace_id, d.contact_id FROM (%s) d WHERE d.direction = 'inbound') k
        WHERE f.workspace_id = k.workspace_id AND f.contact_id = k.contact_id$q$, changed);
    RETURN NEXT format($q$
        INSERT INTO contact_first_inbound (workspace_id, contact_id, platform, first_at)
        SELECT k.workspace_id, k.contact_id, c.platform, f.first_at
        FROM (SELECT DISTINCT d.workspace_id, d.contact_id FROM (%s) d WHERE d.direction = 'inbound') k
        JOIN contacts c ON c.workspace_id = k.workspace_id AND c.id = k.contact_id
        CROSS JOIN LATERAL (SELECT min(m.created_at) AS first_at FROM messages m
            WHERE m.workspace_id = k.workspace_id AND m.contact_id = k.contact_id AND m.direction = 'inbound') f
        WHERE f.first_at IS NOT NULL$q$, changed);
END
$fn$;

-- The columns of a message the summaries read, with the sign of the change.
-- The triggers run as the schema's owner: a role that feeds the store needs
-- no right on the summaries, and one that reads it only SELECT on them. The
-- memory lets a bulk load group its rows in memory rather than on disk.
CREATE FUNCTION message_summaries_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' AS $fn$
DECLARE
    cols constant text := 'workspace_id, conversation_id, contact_id, direction, sender, billable, created_at, ai_cost, billing_cost';
    changed text;
    statement text;
BEGIN
    CASE TG_OP
    WHEN 'INSERT' THEN
        changed := format('SELECT %s, 1 AS sign FROM new_rows', cols);
    WHEN 'DELETE' THEN
        changed := format('SELECT %s, -1 AS sign FROM old_rows', cols);
    WHEN 'UPDATE' THEN
        -- One pass over both: a change that moves nothing (a text edited) nets to zero.
        changed := format('SELECT %1$s, -1 AS sign FROM old_rows UNION ALL SELECT %1$s, 1 FROM new_rows', cols);
    END CASE;
    FOR statement IN SELECT message_summaries_statements(changed, TG_OP <> 'INSERT') LOOP
        EXECUTE statement;
    END LOOP;
    RETURN NULL;
END
$fn$;

-- DELETE rather than TRUNCATE: a TRUNCATE ... CASCADE from workspaces is
-- already emptying the summaries, and TRUNCATE refuses a table in use.
CREATE FUNCTION message_summaries_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM message_slots;
    DELETE FROM contact_slots;
    DELETE FROM message_minutes;
    DELETE FROM contact_first_inbound;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER messages_summaries_insert AFTER INSERT ON messages
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION message_summaries_maintain();
CREATE TRIGGER messages_summaries_update AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION message_summaries_maintain();
CREATE TRIGGER messages_summaries_delete AFTER DELETE ON messages
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION message_summaries_maintain();
CREATE TRIGGER messages_summaries_truncate AFTER TRUNCATE ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION message_summaries_truncate();

-- A bulk load with session_replication_role = replica (which skips the
-- foreign-key triggers) must still keep the summaries.
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_summaries_insert;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_summaries_update;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_summaries_delete;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_summaries_truncate;

-- The messages already there.
DO $$
DECLARE
    statement text;
BEGIN
    FOR statement IN SELECT message_summaries_statements(
        'SELECT workspace_id, conversation_id, contact_id, direction, sender, billable, created_at, ai_cost, billing_cost, 1 AS sign FROM messages',
        false)
    LOOP
        EXECUTE statement;
    END LOOP;
END
$$;
