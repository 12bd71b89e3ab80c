-- messages, the largest table by far, is partitioned by month of created_at,
-- so that a range of a few days reads (and its indexes hold) only the months
-- it touches, and old months can be dropped whole (see docs/schema.md,
-- "Partitioning by time", and docs/scaling.md).
--
-- What changes for a table partitioned by created_at:
--   * Its primary key must contain created_at: it is (workspace_id, id,
--     created_at). The identity still hands out distinct ids; what the key no
--     longer checks is a loader supplying the same id twice for one workspace
--     with two different times.
--   * A foreign key must reference the whole key, so template_sends'
--     (workspace_id, message_id) reference to messages is kept by triggers
--     instead (template_sends_message_* below), with the foreign key's rules:
--     a send must name a message of its workspace, a message a send names
--     cannot go, and both are skipped under session_replication_role =
--     replica like the foreign keys' own triggers.
--   * Rows of a month without a partition land in messages_default;
--     ensure_time_partitions creates the months' partitions and moves such
--     rows into them.
--
-- The rows, their ids, the id sequence's position and every summary row of
-- migration 3 are kept: the rows are copied before the summary triggers exist
-- on the new table, so the summaries are neither counted twice nor touched.

-- ensure_time_partition makes sure parent, a table partitioned by range of
-- one timestamptz column, has the partition of the UTC calendar month that
-- holds month, named parent_YYYY_MM. Rows of that month waiting in the default
-- partition are moved into it: PostgreSQL refuses to create a partition whose
-- range still has rows in the default one. The move writes the partitions
-- directly, so the parent's statement triggers (the summaries, the checks of
-- template_sends) do not fire: the rows only change partition. It returns the
-- partition's name when it created one, NULL when it was already there.
--
-- The partition is built as a table of its own and then attached, rather than
-- created with CREATE TABLE ... PARTITION OF, which would lock the parent
-- against every read and write until the transaction ends: attaching takes a
-- lock on the parent that lets reads and writes go on, and an exclusive one on
-- the default partition only.
CREATE FUNCTION ensure_time_partition(parent regclass, month timestamptz) RETURNS text
LANGUAGE plpgsql AS $fn$
DECLARE
    -- Month boundaries are computed on UTC wall-clock time: adding a month to
    -- a timestamptz would follow the session's time zone and its DST.
    lo_utc    constant timestamp := date_trunc('month', month AT TIME ZONE 'UTC');
    lo        constant timestamptz := lo_utc AT TIME ZONE 'UTC';
    hi        constant timestamptz := (lo_utc + interval '1 month') AT TIME ZONE 'UTC';
    schema    name;
    base      name;
    part      name;
    key       name;
    def       regclass;
    cols      text;
BEGIN
    SELECT n.nspname, c.relname, a.attname, nullif(p.partdefid, 0)::regclass
    INTO schema, base, key, def
    FROM pg_partitioned_table p
    JOIN pg_class c ON c.oid = p.partrelid
    JOIN pg_namespace n ON n.oid = c.relnamespace
    JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
    WHERE p.partrelid = parent AND p.partstrat = 'r' AND p.partnatts = 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not partitioned by range of one column', parent;
    END IF;
    part := base || '_' || to_char(lo_utc, 'YYYY_MM');

    IF EXISTS (SELECT 1 FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
               WHERE i.inhparent = parent AND c.relname = part) THEN
        RETURN NULL;
    END IF;

    IF def IS NOT NULL THEN
        -- Attaching the partition takes this lock anyway; taking it first
        -- keeps new rows of the month from landing in the default partition
        -- between the move and the attach.
        EXECUTE format('LOCK TABLE %s IN ACCESS EXCLUSIVE MODE', def);
    END IF;

    -- The month's rows move into a table of the parent's shape, which then
    -- becomes the partition. The CHECK spares the attach its scan of the rows.
    SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) INTO cols
    FROM pg_attribute
    WHERE attrelid = parent AND attnum > 0 AND NOT attisdropped AND attgenerated = '';
    EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING GENERATED)', schema, part, parent);
    EXECUTE format('ALTER TABLE %I.%I ADD CONSTRAINT %I CHECK (%I IS NOT NULL AND %I >= %L AND %I < %L)',
        schema, part, part || '_range', key, key, lo, key, hi);
    IF def IS NOT NULL THEN
        EXECUTE format('WITH moved AS (DELETE FROM ONLY %s WHERE %I >= $1 AND %I < $2 RETURNING %s) INSERT INTO %I.%I (%s) SELECT %s FROM moved',
            def, key, key, cols, schema, part, cols, cols) USING lo, hi;
    END IF;
    EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)', parent, schema, part, lo, hi);
    EXECUTE format('ALTER TABLE %I.%I DROP CONSTRAINT %I', schema, part, part || '_range');
    RETURN part;
END
$fn$;

COMMENT ON FUNCTION ensure_time_partition(regclass, timestamptz) IS
    'Creates the UTC month partition of a range-partitioned table, moving that month''s rows out of its default partition';

-- time_partitioned_tables are the tables partitioned by month, which
-- ensure_time_partitions keeps.
CREATE FUNCTION time_partitioned_tables() RETURNS SETOF regclass
LANGUAGE sql STABLE AS $$ VALUES ('messages'::regclass) $$;

-- ensure_time_partitions creates, for every table partitioned by month, the
-- partitions of the UTC months from the one holding from_time to the one
-- holding to_time, both included, moving their rows out of the default
-- partitions. It returns the partitions it created. Creating a partition
-- takes an exclusive lock on the default partition for a moment, so a live
-- store runs it ahead of time ("chatbot-store partitions -ahead N") rather
-- than when the month has begun.
--
-- It runs as the schema's owner, who alone may add partitions, for any user
-- that may insert into the tables (a loader, a feed): such a user could fill
-- the default partition anyway, and the partitions only change where rows are
-- kept. A user who may only read (the data source's role) is refused.
CREATE FUNCTION ensure_time_partitions(from_time timestamptz, to_time timestamptz) RETURNS SETOF text
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
DECLARE
    month timestamp := date_trunc('month', from_time AT TIME ZONE 'UTC');
    last  constant timestamp := date_trunc('month', to_time AT TIME ZONE 'UTC');
    tbl   regclass;
    made  text;
BEGIN
    IF from_time IS NULL OR to_time IS NULL OR to_time < from_time THEN
        RAISE EXCEPTION 'ensure_time_partitions needs from_time <= to_time, got % and %', from_time, to_time;
    END IF;
    -- A century of months is a typo, not a plan.
    IF last > month + interval '100 years' THEN
        RAISE EXCEPTION 'ensure_time_partitions: % to % is more than 100 years of monthly partitions', from_time, to_time;
    END IF;
    -- session_user: inside this function current_user is the owner.
    FOR tbl IN SELECT time_partitioned_tables() LOOP
        IF NOT has_table_privilege(session_user, tbl, 'INSERT') THEN
            RAISE EXCEPTION 'ensure_time_partitions: % may not insert into %, so may not create its partitions', session_user, tbl
                USING ERRCODE = 'insufficient_privilege';
        END IF;
    END LOOP;
    WHILE month <= last LOOP
        FOR tbl IN SELECT time_partitioned_tables() LOOP
            made := ensure_time_partition(tbl, month AT TIME ZONE 'UTC');
            IF made IS NOT NULL THEN
                RETURN NEXT made;
            END IF;
        END LOOP;
        month := month + interval '1 month';
    END LOOP;
END
$fn$;

COMMENT ON FUNCTION ensure_time_partitions(timestamptz, timestamptz) IS
    'Creates the monthly partitions of the UTC months from_time to to_time, moving their rows out of the default partitions';

-- The old table steps aside, with the names its replacement takes.
ALTER TABLE template_sends DROP CONSTRAINT template_sends_workspace_id_message_id_fkey;
ALTER TABLE messages RENAME TO messages_unpartitioned;
ALTER TABLE messages_unpartitioned RENAME CONSTRAINT messages_pkey TO messages_unpartitioned_pkey;
ALTER SEQUENCE messages_id_seq RENAME TO messages_unpartitioned_id_seq;
DROP INDEX messages_time_idx, messages_conversation_idx, messages_first_inbound_idx;

-- The key and the foreign keys come after the rows: checking each foreign key
-- once over the whole table is far cheaper than once per row copied.
CREATE TABLE messages (
    workspace_id    integer NOT NULL,
    id              bigint GENERATED BY DEFAULT AS IDENTITY,
    conversation_id bigint NOT NULL,
    -- The conversation's contact, repeated here because the user metrics group
    -- messages by contact and this saves a join on the largest table.
    contact_id      bigint NOT NULL,
    direction       text NOT NULL CONSTRAINT messages_direction_check CHECK (direction IN ('inbound', 'outbound')),
    sender          text NOT NULL CONSTRAINT messages_sender_check CHECK (sender IN ('contact', 'bot', 'agent', 'broadcast')),
    agent_id        bigint,
    created_at      timestamptz NOT NULL,
    body            text NOT NULL DEFAULT '',
    intent          text,
    language        text,
    ai_cost         numeric(14, 6) NOT NULL DEFAULT 0,
    billable        boolean NOT NULL DEFAULT false,
    billing_cost    numeric(14, 6) NOT NULL DEFAULT 0,
    -- The names are the ones migration 1 gave, which the old table still holds.
    CONSTRAINT messages_check CHECK ((direction = 'inbound') = (sender = 'contact')),
    CONSTRAINT messages_check1 CHECK ((sender = 'agent') = (agent_id IS NOT NULL))
) PARTITION BY RANGE (created_at);

-- Rows of a month that has no partition yet.
CREATE TABLE messages_default PARTITION OF messages DEFAULT;

-- A partition for every month with rows, and for this month and the next three.
SELECT ensure_time_partition('messages', month)
FROM (SELECT DISTINCT date_trunc('month', created_at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC' AS month
      FROM messages_unpartitioned) m
ORDER BY month;
SELECT ensure_time_partitions(now(), now() + interval '3 months');

INSERT INTO messages (workspace_id, id, conversation_id, contact_id, direction, sender, agent_id,
                      created_at, body, intent, language, ai_cost, billable, billing_cost)
SELECT workspace_id, id, conversation_id, contact_id, direction, sender, agent_id,
       created_at, body, intent, language, ai_cost, billable, billing_cost
FROM messages_unpartitioned;

-- The next id is the one the old sequence would have given.
SELECT setval(pg_get_serial_sequence('messages', 'id'), last_value, is_called)
FROM messages_unpartitioned_id_seq;

DROP TABLE messages_unpartitioned;

-- Built once the rows are in, which is faster than keeping them up to date row
-- by row; each is created on every partition. Migration 1's names.
ALTER TABLE messages
    ADD CONSTRAINT messages_pkey PRIMARY KEY (workspace_id, id, created_at),
    ADD CONSTRAINT messages_workspace_id_fkey FOREIGN KEY (workspace_id) REFERENCES workspaces (id),
    ADD CONSTRAINT messages_workspace_id_conversation_id_fkey FOREIGN KEY (workspace_id, conversation_id) REFERENCES conversations (workspace_id, id),
    ADD CONSTRAINT messages_workspace_id_contact_id_fkey FOREIGN KEY (workspace_id, contact_id) REFERENCES contacts (workspace_id, id),
    ADD CONSTRAINT messages_workspace_id_agent_id_fkey FOREIGN KEY (workspace_id, agent_id) REFERENCES agents (workspace_id, id);
CREATE INDEX messages_time_idx ON messages (workspace_id, created_at);
CREATE INDEX messages_conversation_idx ON messages (workspace_id, conversation_id, created_at);
-- First inbound message per contact (new and total users) is an index-only scan of this.
CREATE INDEX messages_first_inbound_idx ON messages (workspace_id, contact_id, created_at) WHERE direction = 'inbound';

-- The summaries' triggers of migration 3, on the new table. Statement-level
-- triggers with transition tables on a partitioned table see the rows of every
-- partition a statement on the parent writes.
CREATE TRIGGER messages_summaries_insert AFTER INSERT ON messages
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION message_summaries_maintain();
CREATE TRIGGER messages_summaries_update AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION message_summaries_maintain();
CREATE TRIGGER messages_summaries_delete AFTER DELETE ON messages
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION message_summaries_maintain();
CREATE TRIGGER messages_summaries_truncate AFTER TRUNCATE ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION message_summaries_truncate();

ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_summaries_insert;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_summaries_update;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_summaries_delete;
ALTER TABLE messages ENABLE ALWAYS TRIGGER messages_summaries_truncate;

-- template_sends (workspace_id, message_id) -> messages (workspace_id, id),
-- kept by triggers. A foreign key would have to name created_at too, which
-- template_sends does not hold, and PostgreSQL keeps a foreign key to a
-- partitioned table with one trigger per partition that looks for the key in
-- that partition only: moving a referenced message out of the default
-- partition would count as deleting it. These triggers look in the whole
-- table, once per statement. They run as the schema's owner, as a foreign
-- key's checks do, and share row locks on the messages a send names, so a
-- message cannot be deleted under a send being written.
CREATE INDEX template_sends_message_idx ON template_sends (workspace_id, message_id) WHERE message_id IS NOT NULL;

CREATE FUNCTION template_sends_check_message() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
DECLARE
    ws integer;
    msg bigint;
BEGIN
    PERFORM 1 FROM messages m
    WHERE (m.workspace_id, m.id) IN (SELECT t.workspace_id, t.message_id FROM new_rows t WHERE t.message_id IS NOT NULL)
    ORDER BY m.workspace_id, m.id
    FOR KEY SHARE OF m;
    SELECT t.workspace_id, t.message_id INTO ws, msg
    FROM new_rows t
    WHERE t.message_id IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM messages m WHERE m.workspace_id = t.workspace_id AND m.id = t.message_id)
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'insert or update on table "template_sends" violates foreign key constraint "template_sends_message_fkey"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'template_sends', CONSTRAINT = 'template_sends_message_fkey',
                  DETAIL = format('Key (workspace_id, message_id)=(%s, %s) is not present in table "messages".', ws, msg);
    END IF;
    RETURN NULL;
END
$fn$;

CREATE FUNCTION template_sends_check_messages_gone() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path FROM CURRENT AS $fn$
DECLARE
    ws integer;
    msg bigint;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        -- After every table of the TRUNCATE is emptied: one that empties
        -- template_sends too is fine.
        SELECT t.workspace_id, t.message_id INTO ws, msg FROM template_sends t WHERE t.message_id IS NOT NULL LIMIT 1;
    ELSE
        SELECT t.workspace_id, t.message_id INTO ws, msg
        FROM (SELECT DISTINCT o.workspace_id, o.id FROM old_rows o) o
        JOIN template_sends t ON t.workspace_id = o.workspace_id AND t.message_id = o.id
        WHERE NOT EXISTS (SELECT 1 FROM messages m WHERE m.workspace_id = o.workspace_id AND m.id = o.id)
        LIMIT 1;
    END IF;
    IF FOUND THEN
        RAISE EXCEPTION 'update or delete on table "messages" violates foreign key constraint "template_sends_message_fkey" on table "template_sends"'
            USING ERRCODE = 'foreign_key_violation', TABLE = 'messages', CONSTRAINT = 'template_sends_message_fkey',
                  DETAIL = format('Key (workspace_id, id)=(%s, %s) is still referenced from table "template_sends".', ws, msg);
    END IF;
    RETURN NULL;
END
$fn$;

CREATE TRIGGER template_sends_message_insert AFTER INSERT ON template_sends
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION template_sends_check_message();
CREATE TRIGGER template_sends_message_update AFTER UPDATE ON template_sends
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION template_sends_check_message();
CREATE TRIGGER template_sends_message_delete AFTER DELETE ON messages
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION template_sends_check_messages_gone();
CREATE TRIGGER template_sends_message_update AFTER UPDATE ON messages
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION template_sends_check_messages_gone();
CREATE TRIGGER template_sends_message_truncate AFTER TRUNCATE ON messages
    FOR EACH STATEMENT EXECUTE FUNCTION template_sends_check_messages_gone();

COMMENT ON TABLE messages IS
    'Partitioned by UTC month of created_at; rows of a month without a partition wait in messages_default (see ensure_time_partitions)';
