// Package roles creates the PostgreSQL role the data source should log in
// with: one that can read the conversation store and change nothing. Its
// grants are readonly.sql, a psql script that chatbot-store runs too.
package roles

import (
	"context"
	_ "embed"
	"fmt"
	"regexp"

	"github.com/jackc/pgx/v5"
)

// ReadOnlyScript is readonly.sql, with psql variables :"role", :"schema" and
// :"DBNAME" (psql sets the last to the database it is connected to).
//
//go:embed readonly.sql
var ReadOnlyScript string

// variable is a psql variable interpolated as an identifier.
var variable = regexp.MustCompile(`:"([A-Za-z_]+)"`)

// Interpolate replaces the script's psql variables as psql does with
// -v name=value, quoting each value as an identifier. A variable without a
// value is an error, as it would be in psql with ON_ERROR_STOP.
func Interpolate(script string, values map[string]string) (string, error) {
	var missing error
	sql := variable.ReplaceAllStringFunc(script, func(match string) string {
		name := variable.FindStringSubmatch(match)[1]
		value, ok := values[name]
		if !ok || value == "" {
			missing = fmt.Errorf("the script needs a value for %s", name)
		}
		return pgx.Identifier{value}.Sanitize()
	})
	return sql, missing
}

// GrantReadOnly makes role a read-only login role for the store in schema
// ("" for the connection's current schema): it creates the role when it does
// not exist (with password, or without one for certificate or peer login),
// sets a new password when one is given, and runs ReadOnlyScript, all in one
// transaction. conn must belong to the store's owner or a superuser.
func GrantReadOnly(ctx context.Context, conn *pgx.Conn, role, password, schema string) error {
	if role == "" {
		return fmt.Errorf("the role name is empty: name the role the data source will log in as")
	}
	tx, err := conn.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	var database, current string
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT current_database(), coalesce(current_schema(), ''),
		EXISTS (SELECT FROM pg_roles WHERE rolname = $1)`, role).Scan(&database, &current, &exists); err != nil {
		return err
	}
	if schema == "" {
		schema = current
	}
	// CREATE ROLE takes no bind parameters: format() quotes the name and the
	// password on the server, with its own rules.
	var statement string
	switch {
	case !exists && password == "":
		err = tx.QueryRow(ctx, "SELECT format('CREATE ROLE %I LOGIN', $1::text)", role).Scan(&statement)
	case !exists:
		err = tx.QueryRow(ctx, "SELECT format('CREATE ROLE %I LOGIN PASSWORD %L', $1::text, $2::text)", role, password).Scan(&statement)
	case password != "":
		err = tx.QueryRow(ctx, "SELECT format('ALTER ROLE %I LOGIN PASSWORD %L', $1::text, $2::text)", role, password).Scan(&statement)
	default:
		err = tx.QueryRow(ctx, "SELECT format('ALTER ROLE %I LOGIN', $1::text)", role).Scan(&statement)
	}
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, statement); err != nil {
		return fmt.Errorf("creating role %q: %w", role, err)
	}
	script, err := Interpolate(ReadOnlyScript, map[string]string{"role": role, "schema": schema, "DBNAME": database})
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, script); err != nil {
		return fmt.Errorf("granting role %q read access: %w", role, err)
	}
	return tx.Commit(ctx)
}
