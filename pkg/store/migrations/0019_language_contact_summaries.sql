-- The languages metric (distinct contacts per language of their inbound
-- messages) from values like those of migration 18, kept per contact and
-- language: per unit, language and platform, the last inbound message in
-- that language before the unit of each contact who wrote in it there. The
-- same reasoning makes the distinct contacts of one language in a bucket a
-- count of the values before the bucket's start. A contact who wrote in two
-- languages has values in both, so these rows answer a query per language
-- (grouped by it, or kept to one of its values), not the contacts of two
-- languages together.
--
-- Both families are kept by the triggers of migration 18, from the same
-- locked contacts and the same reading of their inbound messages: the
-- functions below replace migration 18's, with the language carried along
-- (null for the contact's own values).

-- Writers of messages wait for this migration (reads do not): a statement that
-- began before the new functions were committed would leave its rows out of
-- what the migration fills. SHARE ROW EXCLUSIVE waits for the transactions
-- that wrote them to end, so the fill sees what they wrote, and holds the next
-- ones back until the new functions are there for them.
LOCK TABLE messages IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE language_contact_slots (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    slot         timestamptz NOT NULL,
    language     text NOT NULL,
    platform     text NOT NULL,
    -- The contacts with an inbound message in the language in the unit.
    contacts     integer NOT NULL,
    -- For each of them, its last inbound message in the language before the
    -- unit, in microseconds since 1970 (the smallest bigint for none),
    -- smallest first.
    previous     bigint[] NOT NULL,
    PRIMARY KEY (workspace_id, slot, language, platform)
);
-- LZ4 where the server has it, as in migration 18.
DO $$
BEGIN
    ALTER TABLE language_contact_slots ALTER COLUMN previous SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    NULL;
END
$$;

CREATE TABLE language_contact_hours (LIKE language_contact_slots INCLUDING ALL);
ALTER TABLE language_contact_hours RENAME COLUMN slot TO hour;
ALTER TABLE language_contact_hours ADD FOREIGN KEY (workspace_id) REFERENCES workspaces (id);
CREATE TABLE language_contact_days (LIKE language_contact_slots INCLUDING ALL);
ALTER TABLE language_contact_days RENAME COLUMN slot TO day;
ALTER TABLE language_contact_days ADD FOREIGN KEY (workspace_id) REFERENCES workspaces (id);

-- The values of the contacts of messages (a SELECT of workspace_id,
-- contact_id, created_at, language of inbound messages): one row per
-- contact, grain and unit with an inbound message (language null), and one
-- per contact, language, grain and unit with an inbound message in that
-- language; each with the last such message before the unit, or none.
CREATE OR REPLACE FUNCTION active_contact_values(messages text) RETURNS text
LANGUAGE sql IMMUTABLE AS $fn$
SELECT format($q$
    SELECT e.workspace_id, e.contact_id, e.language, e.grain, e.unit,
           coalesce((extract(epoch FROM lag(e.last_at) OVER (PARTITION BY e.workspace_id, e.contact_id, e.language, e.grain ORDER BY e.unit))
                     * 1000000)::bigint, '-9223372036854775808'::bigint) AS previous
    FROM (SELECT x.workspace_id, x.contact_id, l.language, g.grain,
                 date_bin(g.grain, x.created_at, timestamptz '2000-01-01 00:00:00+00') AS unit, max(x.created_at) AS last_at
          FROM (%s) x
          CROSS JOIN LATERAL (SELECT NULL::text AS language UNION ALL SELECT x.language WHERE x.language IS NOT NULL) l
          CROSS JOIN (VALUES (interval '15 minutes'), (interval '1 hour'), (interval '1 day')) g (grain)
          GROUP BY 1, 2, 3, 4, 5) e$q$, messages)
$fn$;

-- As in migration 18, with the language: the inbound messages that arrived
-- and went (an update that keeps a message's contact, time, direction and
-- language changes nothing), the contacts' rows locked, then the difference
-- of both families' values applied to their three levels each.
CREATE OR REPLACE FUNCTION active_contacts_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' SET jit = off AS $fn$
DECLARE
    arrived constant text := 'SELECT workspace_id, contact_id, created_at, language FROM new_rows WHERE direction = ''inbound''';
    went constant text := 'SELECT workspace_id, contact_id, created_at, language FROM old_rows WHERE direction = ''inbound''';
    -- Per level: the contact family's table, the language family's, the
    -- unit column and the grain.
    levels constant text[] := ARRAY['active_contact_slots', 'language_contact_slots', 'slot', '15 minutes',
                                    'active_contact_hours', 'language_contact_hours', 'hour', '1 hour',
                                    'active_contact_days', 'language_contact_days', 'day', '1 day'];
    changed text;
    locked bigint;
    ws integer[];
    languages text[];
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
    -- now, and as they were before this statement.
    EXECUTE format($q$
        WITH k AS MATERIALIZED (%1$s),
        now_messages AS MATERIALIZED (
            SELECT m.workspace_id, m.contact_id, m.created_at, m.language FROM messages m
            WHERE m.direction = 'inbound' AND (m.workspace_id, m.contact_id) IN (SELECT DISTINCT workspace_id, contact_id FROM k)
        ),
        before_messages AS (
            SELECT workspace_id, contact_id, created_at, language FROM now_messages
            EXCEPT ALL SELECT workspace_id, contact_id, created_at, language FROM k WHERE sign > 0
            UNION ALL SELECT workspace_id, contact_id, created_at, language FROM k WHERE sign < 0
        ),
        now_values AS MATERIALIZED (%2$s),
        before_values AS MATERIALIZED (%3$s),
        d AS (
            SELECT *, 1 AS sign FROM (TABLE now_values EXCEPT ALL TABLE before_values) a
            UNION ALL SELECT *, -1 FROM (TABLE before_values EXCEPT ALL TABLE now_values) r
        )
        SELECT array_agg(d.workspace_id), array_agg(d.language), array_agg(d.grain), array_agg(d.unit), array_agg(c.platform),
               array_agg(d.previous), array_agg(d.sign)
        FROM d JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id$q$,
        changed, active_contact_values('SELECT * FROM now_messages'), active_contact_values('SELECT * FROM before_messages'))
        INTO ws, languages, grains, units, platforms, values_, signs;
    IF ws IS NULL THEN
        RETURN NULL;
    END IF;
    removing := -1 = ANY (signs);
    FOR i IN 0..2 LOOP
        -- Every unit changed, locked in key order: new values merged in,
        -- and the counts of contacts moved.
        EXECUTE format($q$
            INSERT INTO %1$s AS s (workspace_id, %2$I, platform, contacts, new_contacts, previous)
            SELECT d.w, d.u, d.p, sum(d.sg), coalesce(sum(d.sg) FILTER (WHERE d.v = '-9223372036854775808'::bigint), 0),
                   assignment_values_sort(coalesce(array_agg(d.v) FILTER (WHERE d.sg > 0), '{}'))
            FROM unnest($1, $2, $3, $4, $5, $6, $7) AS d (w, l, g, u, p, v, sg)
            WHERE d.g = %3$L::interval AND d.l IS NULL
            GROUP BY 1, 2, 3 ORDER BY 1, 2, 3
            ON CONFLICT (workspace_id, %2$I, platform) DO UPDATE
            SET contacts = s.contacts + EXCLUDED.contacts, new_contacts = s.new_contacts + EXCLUDED.new_contacts,
                previous = assignment_values_merge(s.previous, EXCLUDED.previous)$q$,
            levels[i * 4 + 1], levels[i * 4 + 3], levels[i * 4 + 4])
        USING ws, languages, grains, units, platforms, values_, signs;
        EXECUTE format($q$
            INSERT INTO %1$s AS s (workspace_id, %2$I, language, platform, contacts, previous)
            SELECT d.w, d.u, d.l, d.p, sum(d.sg), assignment_values_sort(coalesce(array_agg(d.v) FILTER (WHERE d.sg > 0), '{}'))
            FROM unnest($1, $2, $3, $4, $5, $6, $7) AS d (w, l, g, u, p, v, sg)
            WHERE d.g = %3$L::interval AND d.l IS NOT NULL
            GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
            ON CONFLICT (workspace_id, %2$I, language, platform) DO UPDATE
            SET contacts = s.contacts + EXCLUDED.contacts, previous = assignment_values_merge(s.previous, EXCLUDED.previous)$q$,
            levels[i * 4 + 2], levels[i * 4 + 3], levels[i * 4 + 4])
        USING ws, languages, grains, units, platforms, values_, signs;
        IF removing THEN
            -- The old values out, and the units left without contacts gone,
            -- in both families (a null language matches the contact
            -- family's rows, which have none).
            FOR tbl IN 1..2 LOOP
                EXECUTE format($q$
                    UPDATE %1$s s SET previous = assignment_values_remove(s.previous, r.v)
                    FROM (SELECT d.w, d.u, d.l, d.p, array_agg(d.v) AS v FROM unnest($1, $2, $3, $4, $5, $6, $7) AS d (w, l, g, u, p, v, sg)
                          WHERE d.g = %3$L::interval AND d.sg < 0 AND (d.l IS NULL) = %4$L GROUP BY 1, 2, 3, 4) r
                    WHERE s.workspace_id = r.w AND s.%2$I = r.u AND s.platform = r.p %5$s$q$,
                    levels[i * 4 + tbl], levels[i * 4 + 3], levels[i * 4 + 4], tbl = 1, CASE WHEN tbl = 2 THEN 'AND s.language = r.l' ELSE '' END)
                USING ws, languages, grains, units, platforms, values_, signs;
                EXECUTE format($q$
                    DELETE FROM %1$s s USING (SELECT DISTINCT d.w, d.u, d.l, d.p FROM unnest($1, $2, $3, $4, $5, $6, $7) AS d (w, l, g, u, p, v, sg)
                                              WHERE d.g = %3$L::interval AND d.sg < 0 AND (d.l IS NULL) = %4$L) k
                    WHERE s.workspace_id = k.w AND s.%2$I = k.u AND s.platform = k.p %5$s AND s.contacts = 0$q$,
                    levels[i * 4 + tbl], levels[i * 4 + 3], levels[i * 4 + 4], tbl = 1, CASE WHEN tbl = 2 THEN 'AND s.language = k.l' ELSE '' END)
                USING ws, languages, grains, units, platforms, values_, signs;
            END LOOP;
        END IF;
    END LOOP;
    RETURN NULL;
END
$fn$;

-- DELETE rather than TRUNCATE, as for the other summaries.
CREATE OR REPLACE FUNCTION active_contacts_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM active_contact_slots;
    DELETE FROM active_contact_hours;
    DELETE FROM active_contact_days;
    DELETE FROM language_contact_slots;
    DELETE FROM language_contact_hours;
    DELETE FROM language_contact_days;
    DELETE FROM contact_inbound;
    RETURN NULL;
END
$fn$;

-- The messages already there.
DO $$
DECLARE
    levels constant text[] := ARRAY['language_contact_slots', 'slot', '15 minutes', 'language_contact_hours', 'hour', '1 hour',
                                    'language_contact_days', 'day', '1 day'];
    i integer;
BEGIN
    FOR i IN 0..2 LOOP
        EXECUTE format($q$
            INSERT INTO %1$s (workspace_id, %2$I, language, platform, contacts, previous)
            SELECT v.workspace_id, v.unit, v.language, c.platform, count(*), array_agg(v.previous ORDER BY v.previous)
            FROM (%4$s) v JOIN contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id
            WHERE v.grain = %3$L::interval AND v.language IS NOT NULL
            GROUP BY 1, 2, 3, 4$q$,
            levels[i * 3 + 1], levels[i * 3 + 2], levels[i * 3 + 3],
            active_contact_values(format('SELECT workspace_id, contact_id, created_at, language FROM messages WHERE direction = %L AND language IS NOT NULL', 'inbound')));
    END LOOP;
END
$$;
