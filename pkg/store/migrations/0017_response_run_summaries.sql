-- Summaries of the answered runs (migration 11) per 15-minute slot of the
-- agent's reply and per UTC hour and day, so that the operator response
-- time's average, median, 90th percentile and maximum over many days read a
-- few rows per day and agent instead of every answered run of the range
-- (216,733 runs over 30 days at scale M).
--
-- Each row is one unit of time, one agent and one platform (the run's
-- contact's, copied when the run arrives, as for the message summaries of
-- migration 3): the number of runs, the sum of their response times in
-- seconds (numeric, as extract(epoch ...) gives it, so averages are the raw
-- rows' to the last digit), and each response time in microseconds in a
-- sorted array, as the assignment summaries of migration 10 keep theirs (and
-- with their functions): the median, 90th percentile and maximum of any
-- union of units are those of the union of their arrays.
--
-- Statement triggers on response_runs keep them, so they follow whatever
-- the triggers on messages do to the runs: a late message that splits a run,
-- a deleted reply that merges two.

CREATE TABLE response_run_slots (
    workspace_id     integer NOT NULL REFERENCES workspaces (id),
    slot             timestamptz NOT NULL,
    agent_id         bigint NOT NULL,
    platform         text NOT NULL,
    runs             integer NOT NULL,
    -- The sum of reply minus run start, in seconds.
    response_seconds numeric NOT NULL,
    -- The same one by one, in microseconds, smallest first.
    response_us      bigint[] NOT NULL,
    PRIMARY KEY (workspace_id, slot, agent_id, platform)
);

CREATE TABLE response_run_hours (LIKE response_run_slots INCLUDING ALL);
ALTER TABLE response_run_hours RENAME COLUMN slot TO hour;
ALTER TABLE response_run_hours ADD FOREIGN KEY (workspace_id) REFERENCES workspaces (id);
CREATE TABLE response_run_days (LIKE response_run_slots INCLUDING ALL);
ALTER TABLE response_run_days RENAME COLUMN slot TO day;
ALTER TABLE response_run_days ADD FOREIGN KEY (workspace_id) REFERENCES workspaces (id);

-- The statements that add the runs of changed (a SELECT of response_runs'
-- columns plus sign: 1 for a run that arrived, -1 for one that went) to the
-- three levels, as migration 10's do for the assignments: arrivals add their
-- counts, sums and times (merged into the sorted arrays); then, when runs
-- went, the emptied rows go and the departed times leave the others' arrays.
CREATE FUNCTION response_run_summaries_statements(changed text, removing boolean) RETURNS SETOF text
LANGUAGE plpgsql IMMUTABLE AS $fn$
DECLARE
    changes constant text := format($q$
        SELECT d.workspace_id, date_bin('15 minutes', d.replied_at, timestamptz '2000-01-01 00:00:00+00') AS slot, d.agent_id, c.platform,
               d.sign, extract(epoch FROM d.replied_at - d.run_started_at) AS response
        FROM (%s) d
        JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id$q$, changed);
    levels constant text[] := ARRAY['response_run_slots', 'slot', '15 minutes', 'response_run_hours', 'hour', '1 hour',
                                    'response_run_days', 'day', '1 day'];
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
            INSERT INTO %1$s AS s (workspace_id, %2$I, agent_id, platform, runs, response_seconds, response_us)
            SELECT workspace_id, date_bin(%3$L, slot, timestamptz '2000-01-01 00:00:00+00'), agent_id, platform, sum(sign), sum(sign * response),
                   assignment_values_sort(coalesce(array_agg((response * 1000000)::bigint) FILTER (WHERE sign > 0), '{}'))
            FROM d GROUP BY 1, 2, 3, 4 ORDER BY 1, 2, 3, 4
            ON CONFLICT (workspace_id, %2$I, agent_id, platform) DO UPDATE
            SET runs = s.runs + EXCLUDED.runs, response_seconds = s.response_seconds + EXCLUDED.response_seconds,
                response_us = assignment_values_merge(s.response_us, EXCLUDED.response_us))$q$,
            tbl, unit, grain);
        empties := empties || format($q$, %1$s AS (
            DELETE FROM %1$s s USING (SELECT DISTINCT workspace_id, date_bin(%3$L, slot, timestamptz '2000-01-01 00:00:00+00') AS t FROM d) k
            WHERE s.workspace_id = k.workspace_id AND s.%2$I = k.t AND s.runs = 0)$q$, tbl, unit, grain);
        removes := removes || format($q$, %1$s AS (
            UPDATE %1$s s SET response_us = assignment_values_remove(s.response_us, r.response_us)
            FROM (SELECT workspace_id, date_bin(%3$L, slot, timestamptz '2000-01-01 00:00:00+00') AS t, agent_id, platform,
                         array_agg((response * 1000000)::bigint) AS response_us
                  FROM d WHERE sign < 0 GROUP BY 1, 2, 3, 4) r
            WHERE s.workspace_id = r.workspace_id AND s.%2$I = r.t AND s.agent_id = r.agent_id AND s.platform = r.platform)$q$,
            tbl, unit, grain);
    END LOOP;
    -- Each statement ends with a SELECT so that its data-modifying parts run.
    RETURN NEXT format('WITH d AS MATERIALIZED (%s)%s SELECT', changes, adds);
    IF removing THEN
        RETURN NEXT format('WITH d AS MATERIALIZED (%s)%s SELECT', changes, empties);
        RETURN NEXT format('WITH d AS MATERIALIZED (%s)%s SELECT', changes, removes);
    END IF;
END
$fn$;

-- The columns of a run the summaries read, with the sign of the change. As
-- for the other summaries, the trigger runs as the schema's owner, groups a
-- bulk load's runs in memory, and is not compiled by JIT (migration 13).
CREATE FUNCTION response_run_summaries_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' SET jit = off AS $fn$
DECLARE
    cols constant text := 'workspace_id, contact_id, agent_id, run_started_at, replied_at';
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
    FOR statement IN SELECT response_run_summaries_statements(changed, TG_OP <> 'INSERT') LOOP
        EXECUTE statement;
    END LOOP;
    RETURN NULL;
END
$fn$;

-- DELETE rather than TRUNCATE, as for the other summaries.
CREATE FUNCTION response_run_summaries_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM response_run_slots;
    DELETE FROM response_run_hours;
    DELETE FROM response_run_days;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER response_runs_summaries_insert AFTER INSERT ON response_runs
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION response_run_summaries_maintain();
CREATE TRIGGER response_runs_summaries_update AFTER UPDATE ON response_runs
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION response_run_summaries_maintain();
CREATE TRIGGER response_runs_summaries_delete AFTER DELETE ON response_runs
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION response_run_summaries_maintain();
CREATE TRIGGER response_runs_summaries_truncate AFTER TRUNCATE ON response_runs
    FOR EACH STATEMENT EXECUTE FUNCTION response_run_summaries_truncate();

-- Also under session_replication_role = replica (a bulk load).
ALTER TABLE response_runs ENABLE ALWAYS TRIGGER response_runs_summaries_insert;
ALTER TABLE response_runs ENABLE ALWAYS TRIGGER response_runs_summaries_update;
ALTER TABLE response_runs ENABLE ALWAYS TRIGGER response_runs_summaries_delete;
ALTER TABLE response_runs ENABLE ALWAYS TRIGGER response_runs_summaries_truncate;

-- The runs already there.
DO $$
DECLARE
    statement text;
BEGIN
    FOR statement IN SELECT response_run_summaries_statements(
        'SELECT workspace_id, contact_id, agent_id, run_started_at, replied_at, 1 AS sign FROM response_runs', false)
    LOOP
        EXECUTE statement;
    END LOOP;
END
$$;
