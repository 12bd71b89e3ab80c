-- Hourly and daily levels of the slot summaries (migration 3), so that a
-- query over many days reads one row per day and dimension where its buckets
-- hold whole UTC days, one per hour where they hold whole UTC hours, and the
-- 15-minute slots only at the edges of its buckets (package sqlbuild,
-- summary.go). The same triggers keep them exact: the functions they call are
-- replaced here, under the same names and signatures, and the triggers on
-- messages are left alone (a later migration may recreate them on another
-- shape of the messages table by the same names).
--
-- Hours and days are aligned on UTC like the slots (date_bin from 2000-01-01
-- 00:00 UTC), so each is a union of whole slots and its rows are the sums of
-- theirs: the triggers add each statement's slot deltas to all three levels.
--
-- The first inbound message of each contact also keeps its conversation's
-- inbox (and the message's id, which breaks a tie between two messages at the
-- same instant as the raw query does), for new users by inbox.

-- Writers of messages wait for this migration (reads do not): a statement that
-- began before the new functions and triggers were committed would leave its
-- rows out of what the migration fills. SHARE ROW EXCLUSIVE waits for the
-- transactions that wrote them to end, so the fill sees what they wrote, and
-- holds the next ones back until the new functions and triggers are there for
-- them.
LOCK TABLE messages IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE message_hours (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    hour         timestamptz NOT NULL,
    platform     text NOT NULL,
    inbox_id     bigint NOT NULL,
    direction    text NOT NULL,
    sender       text NOT NULL,
    billable     boolean NOT NULL,
    messages     bigint NOT NULL,
    ai_cost      numeric NOT NULL,
    billing_cost numeric NOT NULL,
    PRIMARY KEY (workspace_id, hour, platform, inbox_id, direction, sender, billable)
);

CREATE TABLE message_days (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    day          timestamptz NOT NULL,
    platform     text NOT NULL,
    inbox_id     bigint NOT NULL,
    direction    text NOT NULL,
    sender       text NOT NULL,
    billable     boolean NOT NULL,
    messages     bigint NOT NULL,
    ai_cost      numeric NOT NULL,
    billing_cost numeric NOT NULL,
    PRIMARY KEY (workspace_id, day, platform, inbox_id, direction, sender, billable)
);

CREATE TABLE contact_hours (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    hour         timestamptz NOT NULL,
    contact_id   bigint NOT NULL,
    inbox_id     bigint NOT NULL,
    platform     text NOT NULL,
    messages     integer NOT NULL,
    PRIMARY KEY (workspace_id, hour, contact_id, inbox_id)
);

CREATE TABLE contact_days (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    day          timestamptz NOT NULL,
    contact_id   bigint NOT NULL,
    inbox_id     bigint NOT NULL,
    platform     text NOT NULL,
    messages     integer NOT NULL,
    PRIMARY KEY (workspace_id, day, contact_id, inbox_id)
);

-- The busiest minute of each UTC hour (of two as busy, the earlier) and its
-- messages, for the peak per minute over whole hours: the busiest minute of
-- a bucket is the busiest of its hours' busiest minutes.
CREATE TABLE message_minute_peaks (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    hour         timestamptz NOT NULL,
    peak_minute  timestamptz NOT NULL,
    messages     bigint NOT NULL,
    PRIMARY KEY (workspace_id, hour)
);

ALTER TABLE contact_first_inbound ADD COLUMN message_id bigint, ADD COLUMN inbox_id bigint;

-- New contacts (first inbound message) per slot, hour and day and per
-- platform and inbox of that message, for new and total users: kept from the
-- changes of contact_first_inbound by its own statement triggers below.
CREATE TABLE first_inbound_slots (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    slot         timestamptz NOT NULL,
    platform     text NOT NULL,
    inbox_id     bigint NOT NULL,
    contacts     bigint NOT NULL,
    PRIMARY KEY (workspace_id, slot, platform, inbox_id)
);

CREATE TABLE first_inbound_hours (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    hour         timestamptz NOT NULL,
    platform     text NOT NULL,
    inbox_id     bigint NOT NULL,
    contacts     bigint NOT NULL,
    PRIMARY KEY (workspace_id, hour, platform, inbox_id)
);

CREATE TABLE first_inbound_days (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    day          timestamptz NOT NULL,
    platform     text NOT NULL,
    inbox_id     bigint NOT NULL,
    contacts     bigint NOT NULL,
    PRIMARY KEY (workspace_id, day, platform, inbox_id)
);

-- message_summaries_statements are the statements that add the rows of
-- changed (a SELECT of messages' columns plus sign: 1 for a row that arrived,
-- -1 for one that went) to the summaries. The trigger function runs them
-- itself, because only its own statements see the transition tables.
--
-- The slot deltas of a statement are grouped once, in a CTE that the slot,
-- hour and day levels all read: the coarser levels cost a regrouping of the
-- (few) slot deltas, not another pass over the changed messages.
CREATE OR REPLACE FUNCTION message_summaries_statements(changed text, removing boolean) RETURNS SETOF text
LANGUAGE plpgsql IMMUTABLE AS $fn$
BEGIN
    -- Ordered by key, so that concurrent writers lock summary rows in the
    -- same order (the statement writes days, then slots, then hours: the
    -- main query first, then its unread CTEs in order).
    RETURN NEXT format($q$
        WITH d AS MATERIALIZED (
            SELECT d.workspace_id, date_bin('15 minutes', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS slot, c.platform, v.inbox_id,
                   d.direction, d.sender, d.billable, sum(d.sign) AS messages, sum(d.sign * d.ai_cost) AS ai_cost, sum(d.sign * d.billing_cost) AS billing_cost
            FROM (%s) d
            JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id
            JOIN conversations v ON v.workspace_id = d.workspace_id AND v.id = d.conversation_id
            GROUP BY 1, 2, 3, 4, 5, 6, 7
            HAVING sum(d.sign) <> 0 OR sum(d.sign * d.ai_cost) <> 0 OR sum(d.sign * d.billing_cost) <> 0
        ), slots AS (
            INSERT INTO message_slots AS s (workspace_id, slot, platform, inbox_id, direction, sender, billable, messages, ai_cost, billing_cost)
            SELECT * FROM d ORDER BY 1, 2, 3, 4, 5, 6, 7
            ON CONFLICT (workspace_id, slot, platform, inbox_id, direction, sender, billable) DO UPDATE
            SET messages = s.messages + EXCLUDED.messages, ai_cost = s.ai_cost + EXCLUDED.ai_cost,
                billing_cost = s.billing_cost + EXCLUDED.billing_cost
        ), hours AS (
            INSERT INTO message_hours AS s (workspace_id, hour, platform, inbox_id, direction, sender, billable, messages, ai_cost, billing_cost)
            SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, direction, sender, billable,
                   sum(messages), sum(ai_cost), sum(billing_cost)
            FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7
            HAVING sum(messages) <> 0 OR sum(ai_cost) <> 0 OR sum(billing_cost) <> 0
            ORDER BY 1, 2, 3, 4, 5, 6, 7
            ON CONFLICT (workspace_id, hour, platform, inbox_id, direction, sender, billable) DO UPDATE
            SET messages = s.messages + EXCLUDED.messages, ai_cost = s.ai_cost + EXCLUDED.ai_cost,
                billing_cost = s.billing_cost + EXCLUDED.billing_cost
        )
        INSERT INTO message_days AS s (workspace_id, day, platform, inbox_id, direction, sender, billable, messages, ai_cost, billing_cost)
        SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, direction, sender, billable,
               sum(messages), sum(ai_cost), sum(billing_cost)
        FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7
        HAVING sum(messages) <> 0 OR sum(ai_cost) <> 0 OR sum(billing_cost) <> 0
        ORDER BY 1, 2, 3, 4, 5, 6, 7
        ON CONFLICT (workspace_id, day, platform, inbox_id, direction, sender, billable) DO UPDATE
        SET messages = s.messages + EXCLUDED.messages, ai_cost = s.ai_cost + EXCLUDED.ai_cost,
            billing_cost = s.billing_cost + EXCLUDED.billing_cost$q$, changed);

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

-- The columns of a message the summaries read, with the sign of the change
-- (as in migration 3, with the message's id for the first inbound message).
CREATE OR REPLACE FUNCTION message_summaries_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' AS $fn$
DECLARE
    cols constant text := 'id, workspace_id, conversation_id, contact_id, direction, sender, billable, created_at, ai_cost, billing_cost';
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

-- first_inbound_levels adds the changes of contact_first_inbound (-1 for
-- each row that went, +1 for each that arrived) to the counts of new contacts
-- per slot, hour and day, and drops the emptied counts.
CREATE FUNCTION first_inbound_levels() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
DECLARE
    changed text;
BEGIN
    CASE TG_OP
    WHEN 'INSERT' THEN
        changed := 'SELECT workspace_id, first_at, platform, inbox_id, 1 AS sign FROM new_rows';
    WHEN 'DELETE' THEN
        changed := 'SELECT workspace_id, first_at, platform, inbox_id, -1 AS sign FROM old_rows';
    WHEN 'UPDATE' THEN
        changed := 'SELECT workspace_id, first_at, platform, inbox_id, -1 AS sign FROM old_rows'
            ' UNION ALL SELECT workspace_id, first_at, platform, inbox_id, 1 FROM new_rows';
    END CASE;
    EXECUTE format($q$
        WITH d AS MATERIALIZED (
            SELECT d.workspace_id, date_bin('15 minutes', d.first_at, timestamptz '2000-01-01 00:00:00+00') AS slot, d.platform, d.inbox_id, sum(d.sign) AS contacts
            FROM (%s) d GROUP BY 1, 2, 3, 4 HAVING sum(d.sign) <> 0
        ), slots AS (
            INSERT INTO first_inbound_slots AS s (workspace_id, slot, platform, inbox_id, contacts)
            SELECT * FROM d ORDER BY 1, 2, 3, 4
            ON CONFLICT (workspace_id, slot, platform, inbox_id) DO UPDATE SET contacts = s.contacts + EXCLUDED.contacts
        ), hours AS (
            INSERT INTO first_inbound_hours AS s (workspace_id, hour, platform, inbox_id, contacts)
            SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, sum(contacts)
            FROM d GROUP BY 1, 2, 3, 4 HAVING sum(contacts) <> 0 ORDER BY 1, 2, 3, 4
            ON CONFLICT (workspace_id, hour, platform, inbox_id) DO UPDATE SET contacts = s.contacts + EXCLUDED.contacts
        )
        INSERT INTO first_inbound_days AS s (workspace_id, day, platform, inbox_id, contacts)
        SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, sum(contacts)
        FROM d GROUP BY 1, 2, 3, 4 HAVING sum(contacts) <> 0 ORDER BY 1, 2, 3, 4
        ON CONFLICT (workspace_id, day, platform, inbox_id) DO UPDATE SET contacts = s.contacts + EXCLUDED.contacts$q$, changed);
    IF TG_OP <> 'INSERT' THEN
        EXECUTE format($q$
            DELETE FROM first_inbound_slots s USING (SELECT DISTINCT workspace_id, date_bin('15 minutes', first_at, timestamptz '2000-01-01 00:00:00+00') AS t FROM (%s) d) k
            WHERE s.workspace_id = k.workspace_id AND s.slot = k.t AND s.contacts = 0$q$, changed);
        EXECUTE format($q$
            DELETE FROM first_inbound_hours s USING (SELECT DISTINCT workspace_id, date_bin('1 hour', first_at, timestamptz '2000-01-01 00:00:00+00') AS t FROM (%s) d) k
            WHERE s.workspace_id = k.workspace_id AND s.hour = k.t AND s.contacts = 0$q$, changed);
        EXECUTE format($q$
            DELETE FROM first_inbound_days s USING (SELECT DISTINCT workspace_id, date_bin('1 day', first_at, timestamptz '2000-01-01 00:00:00+00') AS t FROM (%s) d) k
            WHERE s.workspace_id = k.workspace_id AND s.day = k.t AND s.contacts = 0$q$, changed);
    END IF;
    RETURN NULL;
END
$fn$;

-- DELETE rather than TRUNCATE: a TRUNCATE ... CASCADE from workspaces is
-- already emptying the summaries, and TRUNCATE refuses a table in use.
CREATE OR REPLACE FUNCTION message_summaries_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM message_slots;
    DELETE FROM message_hours;
    DELETE FROM message_days;
    DELETE FROM contact_slots;
    DELETE FROM contact_hours;
    DELETE FROM contact_days;
    DELETE FROM message_minutes;
    DELETE FROM message_minute_peaks;
    DELETE FROM contact_first_inbound;
    DELETE FROM first_inbound_slots;
    DELETE FROM first_inbound_hours;
    DELETE FROM first_inbound_days;
    RETURN NULL;
END
$fn$;

-- The messages already there: the coarser levels from the slots (exact
-- already), the first inbound message's id and inbox from the messages.
INSERT INTO message_hours (workspace_id, hour, platform, inbox_id, direction, sender, billable, messages, ai_cost, billing_cost)
SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, direction, sender, billable,
       sum(messages), sum(ai_cost), sum(billing_cost)
FROM message_slots GROUP BY 1, 2, 3, 4, 5, 6, 7;
INSERT INTO message_days (workspace_id, day, platform, inbox_id, direction, sender, billable, messages, ai_cost, billing_cost)
SELECT workspace_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, direction, sender, billable,
       sum(messages), sum(ai_cost), sum(billing_cost)
FROM message_hours GROUP BY 1, 2, 3, 4, 5, 6, 7;
INSERT INTO contact_hours (workspace_id, hour, contact_id, inbox_id, platform, messages)
SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), contact_id, inbox_id, platform, sum(messages)
FROM contact_slots GROUP BY 1, 2, 3, 4, 5;
INSERT INTO contact_days (workspace_id, day, contact_id, inbox_id, platform, messages)
SELECT workspace_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), contact_id, inbox_id, platform, sum(messages)
FROM contact_hours GROUP BY 1, 2, 3, 4, 5;

INSERT INTO message_minute_peaks (workspace_id, hour, peak_minute, messages)
SELECT DISTINCT ON (1, 2) workspace_id, date_bin('1 hour', minute, timestamptz '2000-01-01 00:00:00+00'), minute, messages
FROM message_minutes ORDER BY 1, 2, messages DESC, minute;

UPDATE contact_first_inbound s SET message_id = f.id, inbox_id = v.inbox_id
FROM contact_first_inbound k
CROSS JOIN LATERAL (SELECT m.id, m.conversation_id FROM messages m
    WHERE m.workspace_id = k.workspace_id AND m.contact_id = k.contact_id AND m.direction = 'inbound' AND m.created_at = k.first_at
    ORDER BY m.id LIMIT 1) f
JOIN conversations v ON v.workspace_id = k.workspace_id AND v.id = f.conversation_id
WHERE s.workspace_id = k.workspace_id AND s.contact_id = k.contact_id;

ALTER TABLE contact_first_inbound ALTER COLUMN message_id SET NOT NULL, ALTER COLUMN inbox_id SET NOT NULL;

INSERT INTO first_inbound_slots (workspace_id, slot, platform, inbox_id, contacts)
SELECT workspace_id, date_bin('15 minutes', first_at, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, count(*)
FROM contact_first_inbound GROUP BY 1, 2, 3, 4;
INSERT INTO first_inbound_hours (workspace_id, hour, platform, inbox_id, contacts)
SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, sum(contacts)
FROM first_inbound_slots GROUP BY 1, 2, 3, 4;
INSERT INTO first_inbound_days (workspace_id, day, platform, inbox_id, contacts)
SELECT workspace_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, sum(contacts)
FROM first_inbound_hours GROUP BY 1, 2, 3, 4;

-- From here on, the changes of the first inbound messages keep their levels.
CREATE TRIGGER contact_first_inbound_levels_insert AFTER INSERT ON contact_first_inbound
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION first_inbound_levels();
CREATE TRIGGER contact_first_inbound_levels_update AFTER UPDATE ON contact_first_inbound
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION first_inbound_levels();
CREATE TRIGGER contact_first_inbound_levels_delete AFTER DELETE ON contact_first_inbound
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION first_inbound_levels();
-- Like the triggers on messages, also under session_replication_role = replica.
ALTER TABLE contact_first_inbound ENABLE ALWAYS TRIGGER contact_first_inbound_levels_insert;
ALTER TABLE contact_first_inbound ENABLE ALWAYS TRIGGER contact_first_inbound_levels_update;
ALTER TABLE contact_first_inbound ENABLE ALWAYS TRIGGER contact_first_inbound_levels_delete;
