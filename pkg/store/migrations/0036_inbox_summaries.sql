-- The message and conversation summaries per platform and inbox only: what
-- the metrics that group or filter by neither the direction, sender,
-- billing, task nor start flow read. message_slots keeps a row per unit for
-- every platform, inbox, task, direction, sender and billing that had a
-- message there, conversation_slots one for every platform, inbox, task and
-- start flow: over 90 days at scale M, the expense per dialogue by inbox
-- read some 155,000 of them (242,000 off UTC, from the hours) to return 90
-- points per inbox, 45 to 167 ms. These tables keep the same sums with one
-- row per unit, platform and inbox.
--
-- The same statements keep them as keep their finer tables: message_levels_add
-- (migration 15) and conversation_summaries_add (migration 24) regroup the
-- deltas they already grouped by slot, once more by platform and inbox, and
-- the statements that drop emptied rows drop them here too. A conversation
-- whose task moves (migration 15) moves nothing here: its inbox and
-- platform stay, so its deltas add up to zero and write nothing.

-- Writers of messages, conversations and assignments wait for this migration
-- (reads do not): a statement that began before the new functions were
-- committed would add its rows to the finer tables only, after the new ones
-- were filled from them. SHARE ROW EXCLUSIVE waits for the transactions that
-- wrote them to end, so the fill sees what they wrote, and holds the next ones
-- back until the new functions are there for them.
LOCK TABLE messages, conversations, assignments IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE message_inbox_slots (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    slot         timestamptz NOT NULL,
    platform     text NOT NULL,
    inbox_id     bigint NOT NULL,
    messages     bigint NOT NULL,
    ai_cost      numeric NOT NULL,
    billing_cost numeric NOT NULL,
    PRIMARY KEY (workspace_id, slot, platform, inbox_id)
);

CREATE TABLE message_inbox_hours (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    hour         timestamptz NOT NULL,
    platform     text NOT NULL,
    inbox_id     bigint NOT NULL,
    messages     bigint NOT NULL,
    ai_cost      numeric NOT NULL,
    billing_cost numeric NOT NULL,
    PRIMARY KEY (workspace_id, hour, platform, inbox_id)
);

CREATE TABLE message_inbox_days (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    day          timestamptz NOT NULL,
    platform     text NOT NULL,
    inbox_id     bigint NOT NULL,
    messages     bigint NOT NULL,
    ai_cost      numeric NOT NULL,
    billing_cost numeric NOT NULL,
    PRIMARY KEY (workspace_id, day, platform, inbox_id)
);

CREATE TABLE conversation_inbox_slots (
    workspace_id  integer NOT NULL REFERENCES workspaces (id),
    slot          timestamptz NOT NULL,
    platform      text NOT NULL,
    inbox_id      bigint NOT NULL,
    conversations bigint NOT NULL,
    messages      bigint NOT NULL,
    replied       bigint NOT NULL,
    obtained      bigint NOT NULL,
    succeeded     bigint NOT NULL,
    transferred   bigint NOT NULL,
    PRIMARY KEY (workspace_id, slot, platform, inbox_id)
);

CREATE TABLE conversation_inbox_hours (
    workspace_id  integer NOT NULL REFERENCES workspaces (id),
    hour          timestamptz NOT NULL,
    platform      text NOT NULL,
    inbox_id      bigint NOT NULL,
    conversations bigint NOT NULL,
    messages      bigint NOT NULL,
    replied       bigint NOT NULL,
    obtained      bigint NOT NULL,
    succeeded     bigint NOT NULL,
    transferred   bigint NOT NULL,
    PRIMARY KEY (workspace_id, hour, platform, inbox_id)
);

CREATE TABLE conversation_inbox_days (
    workspace_id  integer NOT NULL REFERENCES workspaces (id),
    day           timestamptz NOT NULL,
    platform      text NOT NULL,
    inbox_id      bigint NOT NULL,
    conversations bigint NOT NULL,
    messages      bigint NOT NULL,
    replied       bigint NOT NULL,
    obtained      bigint NOT NULL,
    succeeded     bigint NOT NULL,
    transferred   bigint NOT NULL,
    PRIMARY KEY (workspace_id, day, platform, inbox_id)
);

-- As in migration 15, and the slot deltas regrouped by platform and inbox
-- into the three new levels (written after the others, in key order).
CREATE OR REPLACE FUNCTION message_levels_add(deltas text) RETURNS text
LANGUAGE plpgsql IMMUTABLE AS $fn$
DECLARE
    adds constant text := 'messages = s.messages + EXCLUDED.messages, ai_cost = s.ai_cost + EXCLUDED.ai_cost,'
        ' billing_cost = s.billing_cost + EXCLUDED.billing_cost';
    nonzero constant text := 'sum(messages) <> 0 OR sum(ai_cost) <> 0 OR sum(billing_cost) <> 0';
BEGIN
    RETURN format($q$
        WITH d AS MATERIALIZED (
            SELECT * FROM (%1$s) d WHERE d.messages <> 0 OR d.ai_cost <> 0 OR d.billing_cost <> 0
        ), slots AS (
            INSERT INTO message_slots AS s (workspace_id, slot, platform, inbox_id, direction, sender, billable, messages, ai_cost, billing_cost, task_id)
            SELECT * FROM d ORDER BY 1, 2, 3, 4, 11, 5, 6, 7
            ON CONFLICT (workspace_id, slot, platform, inbox_id, task_id, direction, sender, billable) DO UPDATE SET %2$s
        ), hours AS (
            INSERT INTO message_hours AS s (workspace_id, hour, platform, inbox_id, direction, sender, billable, messages, ai_cost, billing_cost, task_id)
            SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, direction, sender, billable,
                   sum(messages), sum(ai_cost), sum(billing_cost), task_id
            FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7, 11
            HAVING %3$s
            ORDER BY 1, 2, 3, 4, 11, 5, 6, 7
            ON CONFLICT (workspace_id, hour, platform, inbox_id, task_id, direction, sender, billable) DO UPDATE SET %2$s
        ), inbox_slots AS (
            INSERT INTO message_inbox_slots AS s (workspace_id, slot, platform, inbox_id, messages, ai_cost, billing_cost)
            SELECT workspace_id, slot, platform, inbox_id, sum(messages), sum(ai_cost), sum(billing_cost)
            FROM d GROUP BY 1, 2, 3, 4
            HAVING %3$s
            ORDER BY 1, 2, 3, 4
            ON CONFLICT (workspace_id, slot, platform, inbox_id) DO UPDATE SET %2$s
        ), inbox_hours AS (
            INSERT INTO message_inbox_hours AS s (workspace_id, hour, platform, inbox_id, messages, ai_cost, billing_cost)
            SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id,
                   sum(messages), sum(ai_cost), sum(billing_cost)
            FROM d GROUP BY 1, 2, 3, 4
            HAVING %3$s
            ORDER BY 1, 2, 3, 4
            ON CONFLICT (workspace_id, hour, platform, inbox_id) DO UPDATE SET %2$s
        ), inbox_days AS (
            INSERT INTO message_inbox_days AS s (workspace_id, day, platform, inbox_id, messages, ai_cost, billing_cost)
            SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id,
                   sum(messages), sum(ai_cost), sum(billing_cost)
            FROM d GROUP BY 1, 2, 3, 4
            HAVING %3$s
            ORDER BY 1, 2, 3, 4
            ON CONFLICT (workspace_id, day, platform, inbox_id) DO UPDATE SET %2$s
        )
        INSERT INTO message_days AS s (workspace_id, day, platform, inbox_id, direction, sender, billable, messages, ai_cost, billing_cost, task_id)
        SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, direction, sender, billable,
               sum(messages), sum(ai_cost), sum(billing_cost), task_id
        FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7, 11
        HAVING %3$s
        ORDER BY 1, 2, 3, 4, 11, 5, 6, 7
        ON CONFLICT (workspace_id, day, platform, inbox_id, task_id, direction, sender, billable) DO UPDATE SET %2$s$q$, deltas, adds, nonzero);
END
$fn$;

-- The statements of migration 15, which also drop the emptied rows of the
-- new levels (every level's in one loop).
CREATE OR REPLACE FUNCTION message_summaries_statements(changed text, removing boolean) RETURNS SETOF text
LANGUAGE plpgsql IMMUTABLE AS $fn$
DECLARE
    unit record;
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
    FOR unit IN SELECT * FROM (VALUES ('message_slots', 'slot', '15 minutes'), ('message_hours', 'hour', '1 hour'),
                                      ('message_days', 'day', '1 day'), ('message_inbox_slots', 'slot', '15 minutes'),
                                      ('message_inbox_hours', 'hour', '1 hour'), ('message_inbox_days', 'day', '1 day'),
                                      ('contact_slots', 'slot', '15 minutes'), ('contact_hours', 'hour', '1 hour'),
                                      ('contact_days', 'day', '1 day'), ('message_minutes', 'minute', '1 minute'))
                               AS l (tab, col, grain) LOOP
        RETURN NEXT format($q$
            DELETE FROM %1$I s USING (SELECT DISTINCT d.workspace_id, date_bin(%3$L, d.created_at, timestamptz '2000-01-01 00:00:00+00') AS t FROM (%4$s) d) k
            WHERE s.workspace_id = k.workspace_id AND s.%2$I = k.t AND s.messages = 0$q$, unit.tab, unit.col, unit.grain, changed);
    END LOOP;
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
-- As in migration 5, the new levels emptied too.
CREATE OR REPLACE FUNCTION message_summaries_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM message_slots;
    DELETE FROM message_hours;
    DELETE FROM message_days;
    DELETE FROM message_inbox_slots;
    DELETE FROM message_inbox_hours;
    DELETE FROM message_inbox_days;
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

-- As in migration 24, and the slot deltas regrouped by platform and inbox
-- into the three new levels (written after the others, in key order).
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
    ), inbox_slots AS (
        INSERT INTO conversation_inbox_slots AS s (workspace_id, slot, platform, inbox_id, %4$s)
        SELECT workspace_id, slot, platform, inbox_id, %2$s
        FROM d GROUP BY 1, 2, 3, 4
        HAVING %3$s
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (workspace_id, slot, platform, inbox_id) DO UPDATE SET %5$s
    ), inbox_hours AS (
        INSERT INTO conversation_inbox_hours AS s (workspace_id, hour, platform, inbox_id, %4$s)
        SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, %2$s
        FROM d GROUP BY 1, 2, 3, 4
        HAVING %3$s
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (workspace_id, hour, platform, inbox_id) DO UPDATE SET %5$s
    ), inbox_days AS (
        INSERT INTO conversation_inbox_days AS s (workspace_id, day, platform, inbox_id, %4$s)
        SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, %2$s
        FROM d GROUP BY 1, 2, 3, 4
        HAVING %3$s
        ORDER BY 1, 2, 3, 4
        ON CONFLICT (workspace_id, day, platform, inbox_id) DO UPDATE SET %5$s
    )
    INSERT INTO conversation_days AS s (workspace_id, day, platform, inbox_id, task_id, start_flow_id, %4$s)
    SELECT workspace_id, date_bin('1 day', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, task_id, start_flow_id, %2$s
    FROM d GROUP BY 1, 2, 3, 4, 5, 6
    HAVING %3$s
    ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (workspace_id, day, platform, inbox_id, task_id, start_flow_id) DO UPDATE SET %5$s$q$, deltas, sums, nonzero, cols, adds);
END
$fn$;

-- As in migration 24, which also drops the emptied rows of the new levels.
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
                                          ('conversation_days', 'day', '1 day'), ('conversation_inbox_slots', 'slot', '15 minutes'),
                                          ('conversation_inbox_hours', 'hour', '1 hour'), ('conversation_inbox_days', 'day', '1 day'))
                                   AS l (tab, col, grain) LOOP
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
-- As in migrations 16 and 24, the new levels too.
CREATE OR REPLACE FUNCTION conversation_summaries_truncate_conversations() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM conversation_slots;
    DELETE FROM conversation_hours;
    DELETE FROM conversation_days;
    DELETE FROM conversation_inbox_slots;
    DELETE FROM conversation_inbox_hours;
    DELETE FROM conversation_inbox_days;
    DELETE FROM conversation_inbound;
    RETURN NULL;
END
$fn$;

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
    UPDATE conversation_inbound SET inbound = 0 WHERE inbound <> 0;
    RETURN NULL;
END
$fn$;

CREATE OR REPLACE FUNCTION conversation_summaries_truncate_assignments() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
DECLARE
    tab text;
BEGIN
    FOREACH tab IN ARRAY ARRAY['conversation_slots', 'conversation_hours', 'conversation_days',
                               'conversation_inbox_slots', 'conversation_inbox_hours', 'conversation_inbox_days'] LOOP
        EXECUTE format('UPDATE %I SET transferred = 0 WHERE transferred <> 0', tab);
    END LOOP;
    UPDATE conversation_inbound SET assignments = 0 WHERE assignments <> 0;
    RETURN NULL;
END
$fn$;

-- The rows already there, from the finest level of the finer tables (exact
-- already): the slots from their slots, the hours and days from the slots.
INSERT INTO message_inbox_slots (workspace_id, slot, platform, inbox_id, messages, ai_cost, billing_cost)
SELECT workspace_id, slot, platform, inbox_id, sum(messages), sum(ai_cost), sum(billing_cost)
FROM message_slots GROUP BY 1, 2, 3, 4;
INSERT INTO message_inbox_hours (workspace_id, hour, platform, inbox_id, messages, ai_cost, billing_cost)
SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, sum(messages), sum(ai_cost), sum(billing_cost)
FROM message_inbox_slots GROUP BY 1, 2, 3, 4;
INSERT INTO message_inbox_days (workspace_id, day, platform, inbox_id, messages, ai_cost, billing_cost)
SELECT workspace_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, sum(messages), sum(ai_cost), sum(billing_cost)
FROM message_inbox_hours GROUP BY 1, 2, 3, 4;

INSERT INTO conversation_inbox_slots (workspace_id, slot, platform, inbox_id, conversations, messages, replied, obtained, succeeded, transferred)
SELECT workspace_id, slot, platform, inbox_id, sum(conversations), sum(messages), sum(replied), sum(obtained), sum(succeeded), sum(transferred)
FROM conversation_slots GROUP BY 1, 2, 3, 4;
INSERT INTO conversation_inbox_hours (workspace_id, hour, platform, inbox_id, conversations, messages, replied, obtained, succeeded, transferred)
SELECT workspace_id, date_bin('1 hour', slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id,
       sum(conversations), sum(messages), sum(replied), sum(obtained), sum(succeeded), sum(transferred)
FROM conversation_inbox_slots GROUP BY 1, 2, 3, 4;
INSERT INTO conversation_inbox_days (workspace_id, day, platform, inbox_id, conversations, messages, replied, obtained, succeeded, transferred)
SELECT workspace_id, date_bin('1 day', hour, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id,
       sum(conversations), sum(messages), sum(replied), sum(obtained), sum(succeeded), sum(transferred)
FROM conversation_inbox_hours GROUP BY 1, 2, 3, 4;

-- Statistics now: the planner would otherwise take the just-filled tables
-- for empty until autovacuum gets round to them.
ANALYZE message_inbox_slots, message_inbox_hours, message_inbox_days,
    conversation_inbox_slots, conversation_inbox_hours, conversation_inbox_days;
