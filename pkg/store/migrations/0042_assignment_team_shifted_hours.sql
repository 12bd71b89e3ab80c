-- The assignment summaries per team (migration 37) also per hour that
-- starts 15, 30 or 45 minutes past a UTC hour, as migration 41 keeps the
-- inbox sums: a zone whose offset is not whole hours puts every bucket
-- boundary inside a UTC hour, and the service level by team over 90 days at
-- scale M read 23,823 rows of hours and split hours' slots at Asia/Kolkata
-- and Asia/Kathmandu against 15,533 at UTC (23 ms against 10).
--
-- The same statements keep them: assignment_summaries_statements gains a
-- tenth level, whose rows are the changed assignments once per shift and
-- whose key is the shift and the team levels' keys, with the same additions,
-- removals of durations and drops of emptied rows.

-- Writers of assignments wait for this migration, as for migration 37.
LOCK TABLE assignments IN SHARE ROW EXCLUSIVE MODE;

CREATE TABLE assignment_team_shifted_hours (
    workspace_id         integer NOT NULL REFERENCES workspaces (id),
    shift                smallint NOT NULL CHECK (shift IN (15, 30, 45)),
    hour                 timestamptz NOT NULL,
    team_id              bigint,
    accepted             boolean NOT NULL,
    replied              boolean NOT NULL,
    ended                boolean NOT NULL,
    outcome              text,
    assignments          integer NOT NULL,
    wait_seconds         numeric NOT NULL,
    conversation_seconds numeric NOT NULL,
    wait_us              bigint[] NOT NULL,
    conversation_us      bigint[] NOT NULL,
    UNIQUE NULLS NOT DISTINCT (workspace_id, shift, hour, team_id, accepted, replied, ended, outcome)
);
-- Never compressed, as the other levels' since migration 33.
ALTER TABLE assignment_team_shifted_hours ALTER COLUMN wait_us SET STORAGE EXTERNAL, ALTER COLUMN conversation_us SET STORAGE EXTERNAL;

-- As migration 40's, with the shifted hours as the tenth level (the rows
-- already there fill it alone, below).
CREATE OR REPLACE FUNCTION assignment_summaries_statements(changed text, removing boolean, first integer DEFAULT 1) RETURNS SETOF text
LANGUAGE plpgsql IMMUTABLE AS $fn$
DECLARE
    -- The changed rows with what the summaries keep of them, per slot.
    changes constant text := format($q$
        SELECT d.workspace_id, date_bin('15 minutes', d.created_at, timestamptz '2000-01-01 00:00:00+00') AS slot,
               c.platform, v.inbox_id, d.agent_id, d.team_id, d.role,
               d.accepted_at IS NOT NULL AS accepted, d.first_reply_at IS NOT NULL AS replied, d.ended_at IS NOT NULL AS ended, d.outcome,
               d.sign, extract(epoch FROM d.first_reply_at - d.created_at) AS wait, extract(epoch FROM d.ended_at - d.accepted_at) AS talk
        FROM (%s) d
        JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id
        JOIN conversations v ON v.workspace_id = d.workspace_id AND v.id = d.conversation_id$q$, changed);
    all_keys constant text[] := ARRAY['platform', 'inbox_id', 'agent_id', 'team_id', 'role', 'accepted', 'replied', 'ended', 'outcome'];
    team_keys constant text[] := ARRAY['team_id', 'accepted', 'replied', 'ended', 'outcome'];
    agent_keys constant text[] := ARRAY['agent_id', 'accepted', 'replied', 'ended', 'outcome'];
    shifted_team_keys constant text[] := ARRAY['shift', 'team_id', 'accepted', 'replied', 'ended', 'outcome'];
    nullable constant text[] := ARRAY['agent_id', 'team_id', 'role', 'outcome'];
    levels constant text[] := ARRAY['assignment_slots', 'slot', '15 minutes', 'assignment_hours', 'hour', '1 hour', 'assignment_days', 'day', '1 day',
        'assignment_team_slots', 'slot', '15 minutes', 'assignment_team_hours', 'hour', '1 hour', 'assignment_team_days', 'day', '1 day',
        'assignment_agent_slots', 'slot', '15 minutes', 'assignment_agent_hours', 'hour', '1 hour', 'assignment_agent_days', 'day', '1 day',
        'assignment_team_shifted_hours', 'hour', '1 hour'];
    -- The changed rows once per shift, for the shifted hours: each slot is
    -- in one hour of each.
    shifted constant text := '(SELECT d.*, p.shift FROM d CROSS JOIN (VALUES (15::smallint), (30::smallint), (45::smallint)) AS p (shift))';
    utc constant text := 'timestamptz ''2000-01-01 00:00:00+00''';
    rows text;
    origin text;
    shift_key text;
    adds text := '';
    removes text := '';
    empties text := '';
    i integer;
    tbl text;
    unit text;
    grain text;
    keys text[];
    key_list text;
    positions text;
    matches text;
BEGIN
    FOR i IN first - 1..9 LOOP
        tbl := levels[i * 3 + 1];
        unit := levels[i * 3 + 2];
        grain := levels[i * 3 + 3];
        keys := CASE WHEN i < 3 THEN all_keys WHEN i < 6 THEN team_keys WHEN i < 9 THEN agent_keys ELSE shifted_team_keys END;
        -- A level's rows are the changed rows (d), its units start at the
        -- UTC origin; the shifted hours' are d once per shift, each shift's
        -- units that many minutes past it.
        rows := CASE WHEN i < 9 THEN 'd' ELSE shifted || ' d' END;
        origin := CASE WHEN i < 9 THEN utc ELSE utc || ' + shift * interval ''1 minute''' END;
        shift_key := CASE WHEN i < 9 THEN '' ELSE ', shift' END;
        key_list := array_to_string(keys, ', ');
        -- GROUP BY and ORDER BY the workspace, the unit and the keys, by position.
        SELECT string_agg(n::text, ', ' ORDER BY n) INTO positions FROM generate_series(1, cardinality(keys) + 2) n;
        SELECT string_agg(CASE WHEN k = ANY (nullable) THEN format('s.%1$I IS NOT DISTINCT FROM r.%1$I', k) ELSE format('s.%1$I = r.%1$I', k) END,
                          ' AND ' ORDER BY o)
        INTO matches FROM unnest(keys) WITH ORDINALITY u(k, o);
        -- Ordered by key, so that concurrent writers lock summary rows in the same order.
        adds := adds || format($q$, %1$s AS (
            INSERT INTO %1$s AS s (workspace_id, %2$s, %4$s, assignments, wait_seconds, conversation_seconds, wait_us, conversation_us)
            SELECT workspace_id, date_bin(%3$L, slot, %6$s), %4$s,
                   sum(sign), coalesce(sum(sign * wait), 0), coalesce(sum(sign * talk), 0),
                   assignment_values_sort(coalesce(array_agg((wait * 1000000)::bigint) FILTER (WHERE sign > 0 AND wait IS NOT NULL), '{}')),
                   assignment_values_sort(coalesce(array_agg((talk * 1000000)::bigint) FILTER (WHERE sign > 0 AND talk IS NOT NULL), '{}'))
            FROM %7$s GROUP BY %5$s ORDER BY %5$s
            ON CONFLICT (workspace_id, %2$s, %4$s) DO UPDATE
            SET assignments = s.assignments + EXCLUDED.assignments,
                wait_seconds = s.wait_seconds + EXCLUDED.wait_seconds,
                conversation_seconds = s.conversation_seconds + EXCLUDED.conversation_seconds,
                wait_us = assignment_values_merge(s.wait_us, EXCLUDED.wait_us),
                conversation_us = assignment_values_merge(s.conversation_us, EXCLUDED.conversation_us))$q$,
            tbl, unit, grain, key_list, positions, origin, rows);
        empties := empties || format($q$, %1$s AS (
            DELETE FROM %1$s s USING (SELECT DISTINCT workspace_id%6$s, date_bin(%3$L, slot, %4$s) AS t FROM %5$s) k
            WHERE s.workspace_id = k.workspace_id AND s.%2$I = k.t%7$s AND s.assignments = 0)$q$, tbl, unit, grain, origin, rows, shift_key,
            CASE WHEN i < 9 THEN '' ELSE ' AND s.shift = k.shift' END);
        removes := removes || format($q$, %1$s AS (
            UPDATE %1$s s SET wait_us = assignment_values_remove(s.wait_us, r.wait_us),
                conversation_us = assignment_values_remove(s.conversation_us, r.conversation_us)
            FROM (SELECT workspace_id, date_bin(%3$L, slot, %7$s) AS t, %4$s,
                         coalesce(array_agg((wait * 1000000)::bigint) FILTER (WHERE wait IS NOT NULL), '{}') AS wait_us,
                         coalesce(array_agg((talk * 1000000)::bigint) FILTER (WHERE talk IS NOT NULL), '{}') AS conversation_us
                  FROM %8$s WHERE sign < 0 AND (wait IS NOT NULL OR talk IS NOT NULL) GROUP BY %5$s) r
            WHERE s.workspace_id = r.workspace_id AND s.%2$I = r.t AND %6$s)$q$, tbl, unit, grain, key_list, positions, matches, origin, rows);
    END LOOP;
    -- Each statement ends with a SELECT so that its data-modifying parts run.
    RETURN NEXT format('WITH d AS MATERIALIZED (%s)%s SELECT', changes, adds);
    IF removing THEN
        RETURN NEXT format('WITH d AS MATERIALIZED (%s)%s SELECT', changes, empties);
        RETURN NEXT format('WITH d AS MATERIALIZED (%s)%s SELECT', changes, removes);
    END IF;
END
$fn$;

-- As migration 40's, the new level emptied too.
CREATE OR REPLACE FUNCTION assignment_summaries_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM assignment_slots;
    DELETE FROM assignment_hours;
    DELETE FROM assignment_days;
    DELETE FROM assignment_team_slots;
    DELETE FROM assignment_team_hours;
    DELETE FROM assignment_team_days;
    DELETE FROM assignment_agent_slots;
    DELETE FROM assignment_agent_hours;
    DELETE FROM assignment_agent_days;
    DELETE FROM assignment_team_shifted_hours;
    RETURN NULL;
END
$fn$;

-- The assignments already there, into the shifted hours only (the 10th
-- level), in key order as the statements write them.
DO $$
DECLARE
    statement text;
BEGIN
    FOR statement IN SELECT assignment_summaries_statements(
        'SELECT workspace_id, conversation_id, contact_id, agent_id, team_id, role, created_at, accepted_at, first_reply_at, ended_at, outcome, 1 AS sign FROM assignments',
        false, 10)
    LOOP
        EXECUTE statement;
    END LOOP;
END
$$;

-- Statistics now: the planner would otherwise take the just-filled table
-- for empty until autovacuum gets round to it.
ANALYZE assignment_team_shifted_hours;
