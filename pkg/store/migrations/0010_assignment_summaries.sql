-- Summaries of the assignments (hand-offs to a human queue, team or agent)
-- per 15-minute slot of their creation and per UTC hour and day, kept exact
-- by statement-level triggers, so that the contact-center metrics over many
-- days read a few thousand summary rows instead of every assignment.
--
-- Each row is one unit of time and one combination of the dimensions the
-- contact-center metrics group and filter by (platform, inbox, agent, team,
-- role) and of the assignment's state (accepted, replied, ended, outcome):
-- a metric that keeps only some states (handled, missed, replied) keeps
-- whole rows. Besides the count and the sums of the durations in seconds
-- (numeric, as extract(epoch ...) gives them, so averages and sums are the
-- raw rows' to the last digit), every row keeps each of its durations in
-- microseconds in a sorted array: the median, 90th percentile and maximum of
-- any union of units are those of the union of their arrays, and the
-- assignments answered within any target are found by binary search
-- (width_bucket over a sorted array).
--
-- The platform and inbox are copied from the assignment's contact and
-- conversation when it arrives, as for the message summaries (migration 3).
-- An assignment changes after its creation (accepted, first reply, ended):
-- an UPDATE takes the old row out and puts the new one in.
--
-- The agent, team, role and outcome may be null, and a null is a group of
-- its own (PostgreSQL 15's NULLS NOT DISTINCT).

CREATE TABLE assignment_slots (
    workspace_id         integer NOT NULL REFERENCES workspaces (id),
    slot                 timestamptz NOT NULL,
    platform             text NOT NULL,
    inbox_id             bigint NOT NULL,
    agent_id             bigint,
    team_id              bigint,
    role                 text,
    accepted             boolean NOT NULL,
    replied              boolean NOT NULL,
    ended                boolean NOT NULL,
    outcome              text,
    assignments          integer NOT NULL,
    -- Sums of first reply minus creation, and of end minus acceptance, in seconds.
    wait_seconds         numeric NOT NULL,
    conversation_seconds numeric NOT NULL,
    -- The same durations one by one, in microseconds, smallest first.
    wait_us              bigint[] NOT NULL,
    conversation_us      bigint[] NOT NULL,
    UNIQUE NULLS NOT DISTINCT (workspace_id, slot, platform, inbox_id, agent_id, team_id, role, accepted, replied, ended, outcome)
);

CREATE TABLE assignment_hours (LIKE assignment_slots INCLUDING ALL);
ALTER TABLE assignment_hours RENAME COLUMN slot TO hour;
ALTER TABLE assignment_hours ADD FOREIGN KEY (workspace_id) REFERENCES workspaces (id);
CREATE TABLE assignment_days (LIKE assignment_slots INCLUDING ALL);
ALTER TABLE assignment_days RENAME COLUMN slot TO day;
ALTER TABLE assignment_days ADD FOREIGN KEY (workspace_id) REFERENCES workspaces (id);

-- The union of two sorted arrays, sorted.
CREATE FUNCTION assignment_values_merge(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE WHEN cardinality(b) = 0 THEN a WHEN cardinality(a) = 0 THEN b
        ELSE ARRAY(SELECT v FROM unnest(a || b) v ORDER BY v) END
$fn$;

-- Array a sorted: most rows of a statement are alone in their slot, so an
-- ordered aggregate (a sort set up per group) would cost more than this.
CREATE FUNCTION assignment_values_sort(a bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE WHEN cardinality(a) < 2 THEN a ELSE ARRAY(SELECT v FROM unnest(a) v ORDER BY v) END
$fn$;

-- Sorted array a less the values of b, each as many times as b has it.
CREATE FUNCTION assignment_values_remove(a bigint[], b bigint[]) RETURNS bigint[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
    SELECT CASE WHEN cardinality(b) = 0 THEN a
        ELSE ARRAY(SELECT v FROM (SELECT unnest(a) EXCEPT ALL SELECT unnest(b)) x(v) ORDER BY v) END
$fn$;

-- assignment_summaries_statements are the statements that add the rows of
-- changed (a SELECT of assignments' columns plus sign: 1 for a row that
-- arrived, -1 for one that went) to the three levels. The trigger function
-- runs them itself, because only its own statements see the transition
-- tables. Arrivals add their counts, sums and durations (merged into the
-- sorted arrays); then, when rows went, the emptied rows go and the
-- departed durations leave the arrays of the others.
CREATE FUNCTION assignment_summaries_statements(changed text, removing boolean) RETURNS SETOF text
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
    keys constant text := 'workspace_id, %1$s, platform, inbox_id, agent_id, team_id, role, accepted, replied, ended, outcome';
    levels constant text[] := ARRAY['assignment_slots', 'slot', '15 minutes', 'assignment_hours', 'hour', '1 hour', 'assignment_days', 'day', '1 day'];
    adds text := '';
    removes text := '';
    empties text := '';
    i integer;
    tbl text;
    unit text;
    grain text;
BEGIN
    FOR i IN 0..2 LOOP
        tbl := levels[i * 3 + 1];
        unit := levels[i * 3 + 2];
        grain := levels[i * 3 + 3];
        -- Ordered by key, so that concurrent writers lock summary rows in the same order.
        adds := adds || format($q$, %1$s AS (
            INSERT INTO %1$s AS s (%2$s, assignments, wait_seconds, conversation_seconds, wait_us, conversation_us)
            SELECT workspace_id, date_bin(%3$L, slot, timestamptz '2000-01-01 00:00:00+00'), platform, inbox_id, agent_id, team_id, role,
                   accepted, replied, ended, outcome, sum(sign), coalesce(sum(sign * wait), 0), coalesce(sum(sign * talk), 0),
                   assignment_values_sort(coalesce(array_agg((wait * 1000000)::bigint) FILTER (WHERE sign > 0 AND wait IS NOT NULL), '{}')),
                   assignment_values_sort(coalesce(array_agg((talk * 1000000)::bigint) FILTER (WHERE sign > 0 AND talk IS NOT NULL), '{}'))
            FROM d GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 ORDER BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
            ON CONFLICT (%2$s) DO UPDATE
            SET assignments = s.assignments + EXCLUDED.assignments,
                wait_seconds = s.wait_seconds + EXCLUDED.wait_seconds,
                conversation_seconds = s.conversation_seconds + EXCLUDED.conversation_seconds,
                wait_us = assignment_values_merge(s.wait_us, EXCLUDED.wait_us),
                conversation_us = assignment_values_merge(s.conversation_us, EXCLUDED.conversation_us))$q$,
            tbl, format(keys, unit), grain);
        empties := empties || format($q$, %1$s AS (
            DELETE FROM %1$s s USING (SELECT DISTINCT workspace_id, date_bin(%3$L, slot, timestamptz '2000-01-01 00:00:00+00') AS t FROM d) k
            WHERE s.workspace_id = k.workspace_id AND s.%2$I = k.t AND s.assignments = 0)$q$, tbl, unit, grain);
        removes := removes || format($q$, %1$s AS (
            UPDATE %1$s s SET wait_us = assignment_values_remove(s.wait_us, r.wait_us),
                conversation_us = assignment_values_remove(s.conversation_us, r.conversation_us)
            FROM (SELECT workspace_id, date_bin(%3$L, slot, timestamptz '2000-01-01 00:00:00+00') AS t, platform, inbox_id, agent_id, team_id, role,
                         accepted, replied, ended, outcome,
                         coalesce(array_agg((wait * 1000000)::bigint) FILTER (WHERE wait IS NOT NULL), '{}') AS wait_us,
                         coalesce(array_agg((talk * 1000000)::bigint) FILTER (WHERE talk IS NOT NULL), '{}') AS conversation_us
                  FROM d WHERE sign < 0 AND (wait IS NOT NULL OR talk IS NOT NULL) GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11) r
            WHERE s.workspace_id = r.workspace_id AND s.%2$I = r.t AND s.platform = r.platform AND s.inbox_id = r.inbox_id
              AND s.agent_id IS NOT DISTINCT FROM r.agent_id AND s.team_id IS NOT DISTINCT FROM r.team_id
              AND s.role IS NOT DISTINCT FROM r.role AND s.accepted = r.accepted AND s.replied = r.replied
              AND s.ended = r.ended AND s.outcome IS NOT DISTINCT FROM r.outcome)$q$, tbl, unit, grain);
    END LOOP;
    -- Each statement ends with a SELECT so that its data-modifying parts run.
    RETURN NEXT format('WITH d AS MATERIALIZED (%s)%s SELECT', changes, adds);
    IF removing THEN
        RETURN NEXT format('WITH d AS MATERIALIZED (%s)%s SELECT', changes, empties);
        RETURN NEXT format('WITH d AS MATERIALIZED (%s)%s SELECT', changes, removes);
    END IF;
END
$fn$;

-- The columns of an assignment the summaries read, with the sign of the
-- change. As for the messages, the triggers run as the schema's owner, and
-- the memory lets a bulk load group its rows in memory.
CREATE FUNCTION assignment_summaries_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' AS $fn$
DECLARE
    cols constant text := 'workspace_id, conversation_id, contact_id, agent_id, team_id, role, created_at, accepted_at, first_reply_at, ended_at, outcome';
    changed text;
    statement text;
BEGIN
    CASE TG_OP
    WHEN 'INSERT' THEN
        changed := format('SELECT %s, 1 AS sign FROM new_rows', cols);
    WHEN 'DELETE' THEN
        changed := format('SELECT %s, -1 AS sign FROM old_rows', cols);
    WHEN 'UPDATE' THEN
        changed := format('SELECT %1$s, -1 AS sign FROM old_rows UNION ALL SELECT %1$s, 1 FROM new_rows', cols);
    END CASE;
    FOR statement IN SELECT assignment_summaries_statements(changed, TG_OP <> 'INSERT') LOOP
        EXECUTE statement;
    END LOOP;
    RETURN NULL;
END
$fn$;

-- DELETE rather than TRUNCATE, as for the messages: a TRUNCATE ... CASCADE
-- from workspaces is already emptying the summaries.
CREATE FUNCTION assignment_summaries_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM assignment_slots;
    DELETE FROM assignment_hours;
    DELETE FROM assignment_days;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER assignments_summaries_insert AFTER INSERT ON assignments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assignment_summaries_maintain();
CREATE TRIGGER assignments_summaries_update AFTER UPDATE ON assignments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION assignment_summaries_maintain();
CREATE TRIGGER assignments_summaries_delete AFTER DELETE ON assignments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION assignment_summaries_maintain();
CREATE TRIGGER assignments_summaries_truncate AFTER TRUNCATE ON assignments
    FOR EACH STATEMENT EXECUTE FUNCTION assignment_summaries_truncate();

-- Also under session_replication_role = replica (a bulk load).
ALTER TABLE assignments ENABLE ALWAYS TRIGGER assignments_summaries_insert;
ALTER TABLE assignments ENABLE ALWAYS TRIGGER assignments_summaries_update;
ALTER TABLE assignments ENABLE ALWAYS TRIGGER assignments_summaries_delete;
ALTER TABLE assignments ENABLE ALWAYS TRIGGER assignments_summaries_truncate;

-- The assignments already there.
DO $$
DECLARE
    statement text;
BEGIN
    FOR statement IN SELECT assignment_summaries_statements(
        'SELECT workspace_id, conversation_id, contact_id, agent_id, team_id, role, created_at, accepted_at, first_reply_at, ended_at, outcome, 1 AS sign FROM assignments',
        false)
    LOOP
        EXECUTE statement;
    END LOOP;
END
$$;
