-- Page visits per 15-minute slot, UTC hour and day, page and platform: the
-- web pages ranking read one row per visit of the range (660,532 for a month
-- at scale M, 80 to 105 ms), where a store has a few pages.
--
-- Statement triggers on page_visits keep them; each visit's contribution is
-- its own (its contact's platform copied when it arrives, as for the other
-- summaries), so no lock beyond the summary rows' is needed. The levels are
-- kept with migration 20's summary_levels_statements.

CREATE TABLE page_visit_slots (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    slot         timestamptz NOT NULL,
    url          text NOT NULL,
    platform     text NOT NULL,
    visits       bigint NOT NULL,
    PRIMARY KEY (workspace_id, slot, url, platform)
);
CREATE TABLE page_visit_hours (LIKE page_visit_slots INCLUDING ALL);
ALTER TABLE page_visit_hours RENAME COLUMN slot TO hour;
ALTER TABLE page_visit_hours ADD FOREIGN KEY (workspace_id) REFERENCES workspaces (id);
CREATE TABLE page_visit_days (LIKE page_visit_slots INCLUDING ALL);
ALTER TABLE page_visit_days RENAME COLUMN slot TO day;
ALTER TABLE page_visit_days ADD FOREIGN KEY (workspace_id) REFERENCES workspaces (id);

-- The visits that arrived (+1) and went (-1), per page and platform.
CREATE FUNCTION page_visit_summaries_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' SET jit = off AS $fn$
DECLARE
    changed constant text := statement_changes(TG_OP, 'workspace_id, contact_id, url, visited_at', 'true');
    statement text;
BEGIN
    FOR statement IN SELECT summary_levels_statements('page_visit', 'url, platform', 'visits', NULL, format($q$
        SELECT d.workspace_id, d.visited_at AS at, d.url, c.platform, d.sign AS n
        FROM (%s) d JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id$q$, changed), TG_OP <> 'INSERT')
    LOOP
        EXECUTE statement;
    END LOOP;
    RETURN NULL;
END
$fn$;

-- DELETE rather than TRUNCATE, as for the other summaries.
CREATE FUNCTION page_visit_summaries_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM page_visit_slots;
    DELETE FROM page_visit_hours;
    DELETE FROM page_visit_days;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER page_visits_summaries_insert AFTER INSERT ON page_visits
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_visit_summaries_maintain();
CREATE TRIGGER page_visits_summaries_update AFTER UPDATE ON page_visits
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION page_visit_summaries_maintain();
CREATE TRIGGER page_visits_summaries_delete AFTER DELETE ON page_visits
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION page_visit_summaries_maintain();
CREATE TRIGGER page_visits_summaries_truncate AFTER TRUNCATE ON page_visits
    FOR EACH STATEMENT EXECUTE FUNCTION page_visit_summaries_truncate();

-- Also under session_replication_role = replica (a bulk load).
ALTER TABLE page_visits ENABLE ALWAYS TRIGGER page_visits_summaries_insert;
ALTER TABLE page_visits ENABLE ALWAYS TRIGGER page_visits_summaries_update;
ALTER TABLE page_visits ENABLE ALWAYS TRIGGER page_visits_summaries_delete;
ALTER TABLE page_visits ENABLE ALWAYS TRIGGER page_visits_summaries_truncate;

-- The visits already there.
DO $$
DECLARE
    statement text;
BEGIN
    FOR statement IN SELECT summary_levels_statements('page_visit', 'url, platform', 'visits', NULL, $q$
        SELECT v.workspace_id, v.visited_at AS at, v.url, c.platform, 1 AS n
        FROM page_visits v JOIN contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id$q$, false)
    LOOP
        EXECUTE statement;
    END LOOP;
END
$$;
