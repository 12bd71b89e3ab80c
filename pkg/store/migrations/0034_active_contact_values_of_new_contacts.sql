-- The active and language contact summaries (migrations 18 and 19) of a
-- contact's first inbound messages from the statement's rows alone.
--
-- Each statement on messages computed every changed contact's values from
-- all its inbound messages, read again from messages, before and after the
-- statement, and applied the difference. For a contact that had no inbound
-- message before the statement (every contact of a first load, a new
-- contact in a live feed) the messages are the statement's own and there is
-- no "before": its values are all new. contact_inbound, locked and brought
-- up to date by the statement's first step, tells which contacts those are:
-- their count there is now the statement's own. Their values come from the
-- transition table; the other contacts' as before.
--
-- At scale S (990,589 messages, 470,640 inbound, 54,764 contacts, one COPY)
-- the statement read 470,640 messages back through 54,764 index probes of
-- each of the eleven partitions and compared 814,327 values twice with
-- EXCEPT ALL; all of it was for contacts without a past.
--
-- Only the function changes: the tables and their rows are the same.

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
    -- now, and as they were before this statement. A contact whose count in
    -- contact_inbound is now the statement's own had no inbound message
    -- before it (a first load, a new contact): its messages are the
    -- statement's, it had no values, and its values are all new, computed
    -- from the transition table alone. The others' messages are read again.
    EXECUTE format($q$
        WITH k AS MATERIALIZED (%1$s),
        fresh AS MATERIALIZED (
            SELECT c.workspace_id, c.contact_id
            FROM (SELECT workspace_id, contact_id, sum(sign) AS inbound FROM k GROUP BY 1, 2) c
            JOIN contact_inbound t ON t.workspace_id = c.workspace_id AND t.contact_id = c.contact_id AND t.inbound = c.inbound
        ),
        split AS MATERIALIZED (
            SELECT k.*, f.contact_id IS NOT NULL AS fresh
            FROM k LEFT JOIN fresh f ON f.workspace_id = k.workspace_id AND f.contact_id = k.contact_id
        ),
        now_messages AS MATERIALIZED (
            SELECT m.workspace_id, m.contact_id, m.created_at, m.language FROM messages m
            WHERE m.direction = 'inbound'
              AND (m.workspace_id, m.contact_id) IN (SELECT DISTINCT workspace_id, contact_id FROM split WHERE NOT fresh)
        ),
        before_messages AS (
            SELECT workspace_id, contact_id, created_at, language FROM now_messages
            EXCEPT ALL SELECT workspace_id, contact_id, created_at, language FROM split WHERE sign > 0 AND NOT fresh
            UNION ALL SELECT workspace_id, contact_id, created_at, language FROM split WHERE sign < 0
        ),
        now_values AS MATERIALIZED (%2$s),
        before_values AS MATERIALIZED (%3$s),
        d AS (
            SELECT *, 1 AS sign FROM (TABLE now_values EXCEPT ALL TABLE before_values) a
            UNION ALL SELECT *, -1 FROM (TABLE before_values EXCEPT ALL TABLE now_values) r
            UNION ALL SELECT *, 1 FROM (%4$s) f
        )
        SELECT array_agg(d.workspace_id), array_agg(d.language), array_agg(d.grain), array_agg(d.unit), array_agg(c.platform),
               array_agg(d.previous), array_agg(d.sign)
        FROM d JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id$q$,
        changed, active_contact_values('SELECT * FROM now_messages'), active_contact_values('SELECT * FROM before_messages'),
        active_contact_values('SELECT workspace_id, contact_id, created_at, language FROM split WHERE fresh'))
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
