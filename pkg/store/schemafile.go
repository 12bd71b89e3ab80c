package store

import (
	"fmt"
	"io"
	"strings"
)

// SchemaSQL writes the migrations newer than version from, in version order,
// as one plain SQL script for teams that apply migrations with their own
// tools (psql, Flyway, Liquibase, ...). The script does what Migrate does and
// nothing else: it takes Migrate's advisory lock, refuses a store whose
// version is not from, and records every migration in schema_migrations, so
// that the store tool, the health check and a later script all see the same
// version whichever way each migration was applied. It runs in one
// transaction: a failure leaves the store as it was.
func SchemaSQL(w io.Writer, from int) error {
	migrations, err := Migrations()
	if err != nil {
		return err
	}
	if from < 0 || from >= SchemaVersion {
		return fmt.Errorf("-from %d: the newest migration is version %d, so from must be 0 to %d", from, SchemaVersion, SchemaVersion-1)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `-- The chatbot-metrics conversation store's schema: migrations %d to %d.
-- Written by "chatbot-store schema -from %d"; docs/schema.md explains every table.
--
-- Apply it with psql (it holds its own transaction):
--   psql -v ON_ERROR_STOP=1 -f THIS_FILE postgres://USER:PASSWORD@HOST:PORT/DATABASE
-- It records each migration in schema_migrations as "chatbot-store migrate"
-- does, so either way can apply the next migrations. It refuses a store whose
-- schema version is not %d.

BEGIN;

-- The lock "chatbot-store migrate" holds while it migrates.
SELECT pg_advisory_xact_lock(%d);

%s;

DO $guard$
DECLARE
    current integer;
BEGIN
    SELECT coalesce(max(version), 0) INTO current FROM schema_migrations;
    IF current <> %d THEN
        RAISE EXCEPTION 'the conversation store is at schema version %%, but this file upgrades version %d to version %d: write one with "chatbot-store schema -from %%" or run "chatbot-store migrate"', current, current;
    END IF;
END
$guard$;
`, from+1, SchemaVersion, from, from, migrationLockID, migrationsTable, from, from, SchemaVersion)
	for _, m := range migrations {
		if m.Version <= from {
			continue
		}
		fmt.Fprintf(&b, "\n-- Migration %04d_%s.sql\n\n%s", m.Version, m.Name, m.SQL)
		if !strings.HasSuffix(m.SQL, "\n") {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "\nINSERT INTO schema_migrations (version, name) VALUES (%d, '%s');\n", m.Version, m.Name)
	}
	b.WriteString("\nCOMMIT;\n")
	_, err = io.WriteString(w, b.String())
	return err
}
