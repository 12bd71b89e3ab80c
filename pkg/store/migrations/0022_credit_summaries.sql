-- Summaries of the credits: the template sends' costs per 15-minute slot,
-- UTC hour and day, template category, platform and inbox (the credit usage
-- read every send of the range), and every credit movement's amount per
-- unit (credits added less the sends' costs: the balance read every movement
-- of the account's history, 271,488 rows at scale M). A running total from
-- the beginning of the store then reads the day rows, a few per day.
--
-- Statement triggers on template_sends and credit_ledger keep them; each
-- row's contribution is its own (the send's contact's platform copied when
-- it arrives, as for the other summaries), so no lock beyond the summary
-- rows' is needed. The levels are kept with migration 20's
-- summary_levels_statements.

CREATE TABLE template_send_slots (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    slot         timestamptz NOT NULL,
    category     text NOT NULL,
    platform     text NOT NULL,
    inbox_id     bigint NOT NULL,
    sends        bigint NOT NULL,
    cost         numeric NOT NULL,
    PRIMARY KEY (workspace_id, slot, category, platform, inbox_id)
);
CREATE TABLE template_send_hours (LIKE template_send_slots INCLUDING ALL);
ALTER TABLE template_send_hours RENAME COLUMN slot TO hour;
ALTER TABLE template_send_hours ADD FOREIGN KEY (workspace_id) REFERENCES workspaces (id);
CREATE TABLE template_send_days (LIKE template_send_slots INCLUDING ALL);
ALTER TABLE template_send_days RENAME COLUMN slot TO day;
ALTER TABLE template_send_days ADD FOREIGN KEY (workspace_id) REFERENCES workspaces (id);

CREATE TABLE credit_movement_slots (
    workspace_id integer NOT NULL REFERENCES workspaces (id),
    slot         timestamptz NOT NULL,
    -- The movements of the unit (ledger entries and sends), and the sum of
    -- their amounts (a send's is minus its cost).
    movements    bigint NOT NULL,
    amount       numeric NOT NULL,
    PRIMARY KEY (workspace_id, slot)
);
CREATE TABLE credit_movement_hours (LIKE credit_movement_slots INCLUDING ALL);
ALTER TABLE credit_movement_hours RENAME COLUMN slot TO hour;
ALTER TABLE credit_movement_hours ADD FOREIGN KEY (workspace_id) REFERENCES workspaces (id);
CREATE TABLE credit_movement_days (LIKE credit_movement_slots INCLUDING ALL);
ALTER TABLE credit_movement_days RENAME COLUMN slot TO day;
ALTER TABLE credit_movement_days ADD FOREIGN KEY (workspace_id) REFERENCES workspaces (id);

-- The sends that arrived (+1) and went (-1): their costs per category,
-- platform and inbox, and minus their costs as credit movements.
CREATE FUNCTION template_send_summaries_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' SET jit = off AS $fn$
DECLARE
    changed constant text := statement_changes(TG_OP, 'workspace_id, contact_id, inbox_id, category, sent_at, cost', 'true');
    statement text;
BEGIN
    FOR statement IN
        SELECT summary_levels_statements('template_send', 'category, platform, inbox_id', 'sends', 'cost', format($q$
            SELECT d.workspace_id, d.sent_at AS at, d.category, c.platform, d.inbox_id, d.sign AS n, d.sign * d.cost AS total
            FROM (%s) d JOIN contacts c ON c.workspace_id = d.workspace_id AND c.id = d.contact_id$q$, changed), TG_OP <> 'INSERT')
        UNION ALL
        SELECT summary_levels_statements('credit_movement', '', 'movements', 'amount', format($q$
            SELECT d.workspace_id, d.sent_at AS at, d.sign AS n, -d.sign * d.cost AS total FROM (%s) d$q$, changed), TG_OP <> 'INSERT')
    LOOP
        EXECUTE statement;
    END LOOP;
    RETURN NULL;
END
$fn$;

-- The ledger entries that arrived and went, as credit movements.
CREATE FUNCTION credit_ledger_summaries_maintain() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT SET work_mem = '64MB' SET jit = off AS $fn$
DECLARE
    changed constant text := statement_changes(TG_OP, 'workspace_id, occurred_at, amount', 'true');
    statement text;
BEGIN
    FOR statement IN SELECT summary_levels_statements('credit_movement', '', 'movements', 'amount', format($q$
        SELECT d.workspace_id, d.occurred_at AS at, d.sign AS n, d.sign * d.amount AS total FROM (%s) d$q$, changed), TG_OP <> 'INSERT')
    LOOP
        EXECUTE statement;
    END LOOP;
    RETURN NULL;
END
$fn$;

-- DELETE rather than TRUNCATE, as for the other summaries. A truncate of
-- either table takes its movements out of the balance's rows, computed
-- again from the other.
CREATE FUNCTION credit_summaries_truncate() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
DECLARE
    statement text;
BEGIN
    IF TG_TABLE_NAME = 'template_sends' THEN
        DELETE FROM template_send_slots;
        DELETE FROM template_send_hours;
        DELETE FROM template_send_days;
    END IF;
    DELETE FROM credit_movement_slots;
    DELETE FROM credit_movement_hours;
    DELETE FROM credit_movement_days;
    FOR statement IN SELECT summary_levels_statements('credit_movement', '', 'movements', 'amount',
        'SELECT workspace_id, occurred_at AS at, 1 AS n, amount AS total FROM credit_ledger
         UNION ALL SELECT workspace_id, sent_at, 1, -cost FROM template_sends', false)
    LOOP
        EXECUTE statement;
    END LOOP;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER template_sends_summaries_insert AFTER INSERT ON template_sends
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION template_send_summaries_maintain();
CREATE TRIGGER template_sends_summaries_update AFTER UPDATE ON template_sends
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION template_send_summaries_maintain();
CREATE TRIGGER template_sends_summaries_delete AFTER DELETE ON template_sends
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION template_send_summaries_maintain();
CREATE TRIGGER template_sends_summaries_truncate AFTER TRUNCATE ON template_sends
    FOR EACH STATEMENT EXECUTE FUNCTION credit_summaries_truncate();
CREATE TRIGGER credit_ledger_summaries_insert AFTER INSERT ON credit_ledger
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION credit_ledger_summaries_maintain();
CREATE TRIGGER credit_ledger_summaries_update AFTER UPDATE ON credit_ledger
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION credit_ledger_summaries_maintain();
CREATE TRIGGER credit_ledger_summaries_delete AFTER DELETE ON credit_ledger
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION credit_ledger_summaries_maintain();
CREATE TRIGGER credit_ledger_summaries_truncate AFTER TRUNCATE ON credit_ledger
    FOR EACH STATEMENT EXECUTE FUNCTION credit_summaries_truncate();

-- Also under session_replication_role = replica (a bulk load).
ALTER TABLE template_sends ENABLE ALWAYS TRIGGER template_sends_summaries_insert;
ALTER TABLE template_sends ENABLE ALWAYS TRIGGER template_sends_summaries_update;
ALTER TABLE template_sends ENABLE ALWAYS TRIGGER template_sends_summaries_delete;
ALTER TABLE template_sends ENABLE ALWAYS TRIGGER template_sends_summaries_truncate;
ALTER TABLE credit_ledger ENABLE ALWAYS TRIGGER credit_ledger_summaries_insert;
ALTER TABLE credit_ledger ENABLE ALWAYS TRIGGER credit_ledger_summaries_update;
ALTER TABLE credit_ledger ENABLE ALWAYS TRIGGER credit_ledger_summaries_delete;
ALTER TABLE credit_ledger ENABLE ALWAYS TRIGGER credit_ledger_summaries_truncate;

-- The rows already there.
DO $$
DECLARE
    statement text;
BEGIN
    FOR statement IN
        SELECT summary_levels_statements('template_send', 'category, platform, inbox_id', 'sends', 'cost', $q$
            SELECT t.workspace_id, t.sent_at AS at, t.category, c.platform, t.inbox_id, 1 AS n, t.cost AS total
            FROM template_sends t JOIN contacts c ON c.workspace_id = t.workspace_id AND c.id = t.contact_id$q$, false)
        UNION ALL
        SELECT summary_levels_statements('credit_movement', '', 'movements', 'amount',
            'SELECT workspace_id, occurred_at AS at, 1 AS n, amount AS total FROM credit_ledger
             UNION ALL SELECT workspace_id, sent_at, 1, -cost FROM template_sends', false)
    LOOP
        EXECUTE statement;
    END LOOP;
END
$$;
