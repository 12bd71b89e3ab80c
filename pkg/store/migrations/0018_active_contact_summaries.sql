-- Exact active and returning users over any union of units from a few rows
-- per day and platform, instead of one row per active contact and unit
-- (contact_days, _hours and _slots: 1.2 million rows over 90 days at scale
-- M, de-duplicated by every query).
--
-- The idea: a contact active in a bucket has one first inbound message
-- there, and the inbound message before that one is before the bucket's
-- start; every later message of the contact in the bucket has its previous
-- message inside the bucket. So the distinct contacts of a bucket are the
-- inbound messages of the bucket whose previous inbound message (of the same
-- contact, by time and then id; none for the contact's first) is before the
-- bucket's start: a count, no de-duplication. Only a contact's first message
-- in a unit can have its previous message before the unit, so each unit
-- (15-minute slot, UTC hour, UTC day) keeps one value per contact active in
-- it, the time of the contact's last inbound message before the unit, in a
-- sorted array per unit and platform. A bucket that is a union of units then
-- counts, in each unit's array, the values before its start: width_bucket's
-- binary search. Returning users are those values that are not "none": the
-- count less the unit's new contacts (kept beside the array, so that a query
-- decompresses each array once).
--
-- Values are microseconds since 1970 (bigint, sorted with the functions of
-- migration 10); "none" is the smallest bigint. The platform is the
-- contact's, copied when the values change, as for the other summaries.
--
-- Which values change when an inbound message arrives or goes depends on the
-- contact's other inbound messages, which other transactions may be adding
-- at the same time. So each statement on messages first adds its inbound
-- messages per contact to contact_inbound with INSERT ... ON CONFLICT DO
-- UPDATE, which locks the contact's row to the end of the transaction (as
-- migration 16 does per conversation), and then, in a later statement (a
-- fresh snapshot under READ COMMITTED), computes each changed contact's
-- values before and after the statement from its inbound messages and
-- applies the difference. Under REPEATABLE READ the second writer to a
-- contact's row fails with a serialization error instead, which its retry
-- resolves.

CREATE TABLE contact_inbound (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    contact_id   bigint NOT NULL,
    inbound      bigint NOT NULL,
    PRIMARY KEY (workspace_id, contact_id)
);

CREATE TABLE active_contact_slots (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    slot         timestamptz NOT NULL,
    platform     text NOT NULL,
    -- The contacts with an inbound message in the unit, and those of them
    -- whose first inbound message is there (the new ones).
    contacts     integer NOT NULL,
    new_contacts integer NOT NULL,
    -- For each of them, its last inbound message before the unit, in
    -- microseconds since 1970 (the smallest bigint for none), smallest first.
    previous     bigint[] NOT NULL,
    PRIMARY KEY (workspace_id, slot, platform)
);
-- LZ4 where the server has it: the arrays of a day take 4 kB compressed,
-- and a query over 90 days decompresses them all, 2.5 times faster than
-- with the default pglz.
DO $$
BEGIN
    ALTER TABLE active_contact_slots ALTER COLUMN previous SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL;
END
$$;

CREATE TABLE active_contact_hours (LIKE active_contact_slots INCLUDING ALL);
ALTER TABLE active_contact_hours RENAME COLUMN slot TO hour;
ALTER TABLE active_contact_hours ADD FOREIGN KEY (workspace_id) REFERENCES workspaces (id);
CREATE TABLE active_contact_days (LIKE active_contact_slots INCLUDING ALL);
ALTER TABLE active_contact_days RENAME COLUMN slot TO day;
ALTER TABLE active_contact_days ADD FOREIGN KEY (workspace_id) REFERENCES workspaces (id);

-- The values of the contacts of messages (a SELECT of workspace_id,
-- contact_id, created_at of inbound messages), one row per contact, grain
-- and unit with an inbound message: the last inbound message of the contact
-- before the unit, or none.
CREATE FUNCTION active_contact_values(messages text) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
SELECT format($q$
    SELECT e.workspace_id, e.contact_id, e.grain, e.unit,
           coalesce((extract(epoch FROM lag(e.last_at) OVER (PARTITION BY e.workspace_id, e.contact_id, e.grain ORDER BY e.unit))
                     * 1000000)::bigint, '-9223372036854775808'::bigint) AS previous
    FROM (SELECT x.workspace_id, x.contact_id, g.grain, date_bin(g.grain, x.created_at, timestamptz '2000-01-01 00:00:00+00') AS unit,
                 max(x.created_at) AS last_at
          FROM (%s) x CROSS JOIN (VALUES (interval '15 minutes'), (interval '1 hour'), (interval '1 day')) g (grain)
          GROUP BY 1, 2, 3, 4) e$q$, messages)
$fn$;

-- The statement trigger on messages: the inbound messages that arrived and
-- went (an update that leaves a message's contact, time and direction as
-- they were changes nothing), the contacts' rows locked, then the
-- difference of their values applied to the three levels.
CREATE FUNCTION active_contacts_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' SET jit = off AS $fn$
DECLARE
    arrived constant text := 'SELECT workspace_id, contact_id, created_at FROM new_rows WHERE direction = ''inbound''';
    went constant text := 'SELECT workspace_id, contact_id, created_at FROM old_rows WHERE direction = ''inbound''';
    levels constant text[] := ARRAY['active_contact_slots', 'slot', '15 minutes', 'active_contact_hours', 'hour', '1 hour',
                                    'active_contact_days', 'day', '1 day'];
    changed text;
    locked bigint;
    ws integer[];
    grains interval[];
    units timestamptz[];
    platforms text[];
    values_ bigint[];
    signs integer[];
    removing boolean;
    i integer;
BEGIN
    CASE TG_OP
    WHEN 'INSERT' THEN
        changed := format('SELECT *, 1 AS sign FROM (%s) a', arrived);
    WHEN 'DELETE' THEN
        changed := format('SELECT *, -1 AS sign FROM (%s) w', went);
    WHEN 'UPDATE' THEN
        changed := format('SELECT *, 1 AS sign FROM (%1$s EXCEPT ALL %2$s) a UNION ALL SELECT *, -1 FROM (%2$s EXCEPT ALL %1$s) w', arrived, went);
    END CASE;
    -- Ordered by key, so that concurrent writers lock contacts in the same order.
    EXECUTE format($q$
        WITH u AS (
            INSERT INTO contact_inbound AS t (workspace_id, contact_id, inbound)
            SELECT workspace_id, contact_id, sum(sign) FROM (%s) k GROUP BY 1, 2 ORDER BY 1, 2
            ON CONFLICT (workspace_id, contact_id) DO UPDATE SET inbound = t.inbound + EXCLUDED.inbound
            RETURNING 1
        )
        SELECT count(*) FROM u$q$, changed) INTO locked;
    IF locked = 0 THEN
        RETURN NULL;
    END IF;
    -- A later statement, which sees what other writers of these contacts
    -- committed before their rows were free: the contacts' inbound messages
    -- now, and as they were before this statement (less what arrived, plus
    -- what went).
    EXECUTE format($q$
        WITH k AS MATERIALIZED (%1$s),
        now_messages AS MATERIALIZED (
            SELECT m.workspace_id, m.contact_id, m.created_at FROM messages m
            WHERE m.direction = 'inbound' AND (m.workspace_id, m.contact_id) IN (SELECT DISTINCT workspace_id, contact_id FROM k)
        ),
        before_messages AS (
            SELECT workspace_id, contact_id, created_at FROM now_messages
            EXCEPT ALL SELECT workspace_id, contact_id, created_at FROM k WHERE sign > 0
            UNION ALL SELECT workspace_id, contact_id, created_at FROM k WHERE sign < 0
        ),
        now_values AS MATERIALIZED (%2$s),
        before_values AS MATERIALIZED (%3$s),
        d AS (
            SELECT *, 1 AS sign FROM (TABLE now_values EXCEPT ALL TABLE before_values) a
            UNION ALL SELECT *, -1 FROM (TABLE before_values EXCEPT ALL TABLE now_values) r
        )
        SELECT array_agg(d.workspace_id), array_agg(d.grain), array_agg(d.unit), array_agg(c.platform), array_agg(d.previous), array_agg(d.sign)
        FROM d JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id$q$,
        changed, active_contact_values('SELECT * FROM now_messages'), active_contact_values('SELECT * FROM before_messages'))
        INTO ws, grains, units, platforms, values_, signs;
    IF ws IS NULL THEN
        RETURN NULL;
    END IF;
    removing := -1 = ANY (signs);
    FOR i IN 0..2 LOOP
        -- Every unit changed, locked in key order: new values merged in,
        -- and the count of contacts moved.
        EXECUTE format($q$
            INSERT INTO %1$s AS s (workspace_id, %2$I, platform, contacts, new_contacts, previous)
            SELECT d.w, d.u, d.p, sum(d.sg), coalesce(sum(d.sg) FILTER (WHERE d.v = '-9223372036854775808'::bigint), 0),
                   assignment_values_sort(coalesce(array_agg(d.v) FILTER (WHERE d.sg > 0), '{}'))
            FROM unnest($1, $2, $3, $4, $5, $6) AS d (w, g, u, p, v, sg)
            WHERE d.g = %3$L::interval
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (workspace_id, %2$I, platform) DO UPDATE
            SET contacts = s.contacts + EXCLUDED.contacts, new_contacts = s.new_contacts + EXCLUDED.new_contacts,
                previous = assignment_values_merge(s.previous, EXCLUDED.previous)$q$,
            levels[i * 3 + 1], levels[i * 3 + 2], levels[i * 3 + 3])
        USING ws, grains, units, platforms, values_, signs;
        IF removing THEN
            -- The old values out, and the units left without contacts gone.
            EXECUTE format($q$
                UPDATE %1$s s SET previous = assignment_values_remove(s.previous, r.v)
                FROM (SELECT d.w, d.u, d.p, array_agg(d.v) AS v FROM unnest($1, $2, $3, $4, $5, $6) AS d (w, g, u, p, v, sg)
                      WHERE d.g = %3$L::interval AND d.sg < 0 GROUP BY 1, 2, 3) r
                WHERE s.workspace_id = r.w AND s.%2$I = r.u AND s.platform = r.p$q$,
                levels[i * 3 + 1], levels[i * 3 + 2], levels[i * 3 + 3])
            USING ws, grains, units, platforms, values_, signs;
            EXECUTE format($q$
                DELETE FROM %1$s s USING (SELECT DISTINCT d.w, d.u, d.p FROM unnest($1, $2, $3, $4, $5, $6) AS d (w, g, u, p, v, sg)
                                          WHERE d.g = %3$L::interval AND d.sg < 0) k
                WHERE s.workspace_id = k.w AND s.%2$I = k.u AND s.platform = k.p AND s.contacts = 0$q$,
                levels[i * 3 + 1], levels[i * 3 + 2], levels[i * 3 + 3])
            USING ws, grains, units, platforms, values_, signs;
        END IF;
    END LOOP;
    RETURN NULL;
END
$fn$;

-- DELETE rather than TRUNCATE, as for the other summaries.
CREATE FUNCTION active_contacts_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM active_contact_slots;
    DELETE FROM active_contact_hours;
    DELETE FROM active_contact_days;
    DELETE FROM contact_inbound;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER messages_active_contacts_insert AFTER INSERT ON messages
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION active_contacts_maintain();
CREATE TRIGGER messages_active_contacts_update AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION active_contacts_maintain();
CREATE TRIGGER messages_active_contacts_delete AFTER DELETE ON messages
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION active_contacts_maintain();
CREATE TRIGGER messages_active_contacts_truncate AFTER TRUNCATE ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION active_contacts_truncate();

-- Also under session_replication_role = replica (a bulk load).
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_active_contacts_insert;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_active_contacts_update;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_active_contacts_delete;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_active_contacts_truncate;

-- The messages already there.
INSERT INTO contact_inbound (workspace_id, contact_id, inbound)
SELECT workspace_id, contact_id, count(*) FROM messages WHERE direction = 'inbound' GROUP BY 1, 2;

DO $$
DECLARE
    levels constant text[] := ARRAY['active_contact_slots', 'slot', '15 minutes', 'active_contact_hours', 'hour', '1 hour',
                                    'active_contact_days', 'day', '1 day'];
    i integer;
BEGIN
    FOR i IN 0..2 LOOP
        EXECUTE format($q$
            INSERT INTO %1$s (workspace_id, %2$I, platform, contacts, new_contacts, previous)
            SELECT v.workspace_id, v.unit, c.platform, count(*), count(*) FILTER (WHERE v.previous = '-9223372036854775808'::bigint),
                   array_agg(v.previous ORDER BY v.previous)
            FROM (%4$s) v JOIN contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id
            WHERE v.grain = %3$L::interval
            GROUP BY 1, 2, 3$q$,
            levels[i * 3 + 1], levels[i * 3 + 2], levels[i * 3 + 3],
            active_contact_values(format('SELECT workspace_id, contact_id, created_at FROM messages WHERE direction = %L', 'inbound')));
    END LOOP;
END
$$;
