package store

import (
	"context"
	"fmt"
)

// GrantReadOnlyCommand creates a read-only role for the data source (see
// pkg/store/roles/readonly.sql, which it runs).
const GrantReadOnlyCommand = "go run ./pkg/cmd/chatbot-store grant-readonly -database-url URL -role NAME"

// writePrivilegeSQL reads what lets the session's user change the store:
// being a superuser, CREATE on the store's schema, and INSERT, UPDATE,
// DELETE or TRUNCATE on its tables (the first one and how many). It uses
// has_table_privilege, which counts grants to PUBLIC, to roles the user
// inherits (pg_write_all_data, say) and ownership, as PostgreSQL's own
// checks do.
const writePrivilegeSQL = `
WITH privileges AS (
    SELECT format('%s on table %s', p.privilege, c.relname) AS privilege,
           row_number() OVER (ORDER BY c.relname, p.n) AS n
    FROM pg_class c
    CROSS JOIN unnest(ARRAY['INSERT', 'UPDATE', 'DELETE', 'TRUNCATE']) WITH ORDINALITY AS p(privilege, n)
    WHERE c.relnamespace = current_schema()::regnamespace
      AND c.relkind IN ('r', 'p')
      AND has_table_privilege(c.oid, p.privilege)
)
SELECT coalesce((SELECT rolsuper FROM pg_roles WHERE rolname = current_user), false),
       coalesce(current_schema(), ''),
       coalesce(has_schema_privilege(current_schema(), 'CREATE'), false),
       coalesce((SELECT privilege FROM privileges WHERE n = 1), ''),
       (SELECT count(*) FROM privileges)`

// WritePrivilege says what lets the session's user change the conversation
// store ("is a superuser", "has CREATE on schema public", "has INSERT on
// table agents and 71 more write privileges on the store's tables"), or ""
// when the user can only read it.
func WritePrivilege(ctx context.Context, q Querier) (string, error) {
	var superuser, create bool
	var schema, first string
	var onTables int
	if err := q.QueryRow(ctx, writePrivilegeSQL).Scan(&superuser, &schema, &create, &first, &onTables); err != nil {
		return "", err
	}
	switch {
	case superuser:
		return "is a superuser", nil
	case create:
		return "has CREATE on schema " + schema, nil
	case onTables == 1:
		return "has " + first, nil
	case onTables > 1:
		return fmt.Sprintf("has %s and %d more write privileges on the store's tables", first, onTables-1), nil
	}
	return "", nil
}
