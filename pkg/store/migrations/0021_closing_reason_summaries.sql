-- The ended assignments per 15-minute slot of their creation, UTC hour and
-- day, per closing reason and the contact-center dimensions (platform,
-- inbox, agent, team, role), so that the closing reasons over a month read a
-- few hundred rows per day instead of every assignment of the month (362,404
-- at scale M). The assignment summaries of migration 10 keep no closing
-- reason: adding it to their key would multiply their rows, which every
-- other contact-center metric reads.
--
-- Statement triggers on assignments keep them: an assignment counts once it
-- has ended, under its closing reason then; an update that ends it, moves it
-- or changes its reason takes the old row out and puts the new one in. The
-- platform and inbox are copied from the contact and conversation, as for
-- migration 10. Nulls (no reason, agent, team or role) are groups of their
-- own.

CREATE TABLE closing_reason_slots (
    workspace_id   integer NOT NULL REFERENCES workspaces (id),
    slot           timestamptz NOT NULL,
    closing_reason text,
    platform       text NOT NULL,
    inbox_id       bigint NOT NULL,
    agent_id       bigint,
    team_id        bigint,
    role           text,
    assignments    integer NOT NULL,
    UNIQUE NULLS NOT DISTINCT (workspace_id, slot, closing_reason, platform, inbox_id, agent_id, team_id, role)
);

CREATE TABLE closing_reason_hours (LIKE closing_reason_slots INCLUDING ALL);
ALTER TABLE closing_reason_hours RENAME COLUMN slot TO hour;
ALTER TABLE closing_reason_hours ADD FOREIGN KEY (workspace_id) REFERENCES workspaces (id);
CREATE TABLE closing_reason_days (LIKE closing_reason_slots INCLUDING ALL);
ALTER TABLE closing_reason_days RENAME COLUMN slot TO day;
ALTER TABLE closing_reason_days ADD FOREIGN KEY (workspace_id) REFERENCES workspaces (id);

-- The statements that add the ended assignments of changed (a SELECT of
-- workspace_id, conversation_id, contact_id, agent_id, team_id, role,
-- created_at, closing_reason, sign) to the three levels with migration 20's
-- summary_levels_statements, with their contact's platform and their
-- conversation's inbox.
CREATE FUNCTION closing_reason_summaries_statements(changed text, removing boolean) RETURNS SETOF text
LANGUAGE sql IMMUTABLE AS $fn$
SELECT summary_levels_statements('closing_reason', 'closing_reason, platform, inbox_id, agent_id, team_id, role', 'assignments', NULL,
    format($q$
        SELECT d.workspace_id, d.created_at AS at, d.closing_reason, c.platform, v.inbox_id, d.agent_id, d.team_id, d.role, d.sign AS n
        FROM (%s) d
        JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id
        JOIN conversations v ON v.workspace_id = d.workspace_id AND v.id = d.conversation_id$q$, changed),
    removing)
$fn$;

-- The ended assignments that arrived and went (an update that keeps what
-- the summaries read changes nothing). As for the other summaries, the
-- trigger runs as the schema's owner, groups a bulk load in memory and is not
-- compiled by JIT.
CREATE FUNCTION closing_reason_summaries_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' SET jit = off AS $fn$
DECLARE
    changed constant text := statement_changes(TG_OP,
        'workspace_id, conversation_id, contact_id, agent_id, team_id, role, created_at, closing_reason', 'ended_at IS NOT NULL');
    statement text;
BEGIN
    FOR statement IN SELECT closing_reason_summaries_statements(changed, TG_OP <> 'INSERT') LOOP
        EXECUTE statement;
    END LOOP;
    RETURN NULL;
END
$fn$;

-- DELETE rather than TRUNCATE, as for the other summaries.
CREATE FUNCTION closing_reason_summaries_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
BEGIN
    DELETE FROM closing_reason_slots;
    DELETE FROM closing_reason_hours;
    DELETE FROM closing_reason_days;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER assignments_closing_reasons_insert AFTER INSERT ON assignments
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION closing_reason_summaries_maintain();
CREATE TRIGGER assignments_closing_reasons_update AFTER UPDATE ON assignments
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION closing_reason_summaries_maintain();
CREATE TRIGGER assignments_closing_reasons_delete AFTER DELETE ON assignments
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION closing_reason_summaries_maintain();
CREATE TRIGGER assignments_closing_reasons_truncate AFTER TRUNCATE ON assignments
    FOR EACH STATEMENT EXECUTE FUNCTION closing_reason_summaries_truncate();

-- Also under session_replication_role = replica (a bulk load).
ALTER TABLE assignments ENABLE ALWAYS TRIGGER assignments_closing_reasons_insert;
ALTER TABLE assignments ENABLE ALWAYS TRIGGER assignments_closing_reasons_update;
ALTER TABLE assignments ENABLE ALWAYS TRIGGER assignments_closing_reasons_delete;
ALTER TABLE assignments ENABLE ALWAYS TRIGGER assignments_closing_reasons_truncate;

-- The assignments already there.
DO $$
DECLARE
    statement text;
BEGIN
    FOR statement IN SELECT closing_reason_summaries_statements(
        'SELECT workspace_id, conversation_id, contact_id, agent_id, team_id, role, created_at, closing_reason, 1 AS sign'
        ' FROM assignments WHERE ended_at IS NOT NULL', false)
    LOOP
        EXECUTE statement;
    END LOOP;
END
$$;
