package roles_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/roles"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// storeTables lists the store's tables, leaving out the partitions of a
// partitioned table (messages_2024_01, messages_default, ...): a role reads
// them through their parent, whose grant is the one that counts.
const storeTables = `SELECT c.relname::text FROM pg_class c
	WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition`

func TestMain(m *testing.M) { storetest.Main(m) }

// readOnlyRole creates a role with GrantReadOnly on a fresh store and returns
// the store's URL (as its owner) and the role's name; the role is dropped
// when the test ends.
func readOnlyRole(t *testing.T) (ownerURL, role string) {
	t.Helper()
	ctx := context.Background()
	ownerURL = storetest.URL(t)
	role = fmt.Sprintf("grafana_reader_%d", os.Getpid())
	owner, err := pgx.Connect(ctx, ownerURL)
	require.NoError(t, err)
	t.Cleanup(func() {
		_, err := owner.Exec(ctx, "DROP OWNED BY "+role+"; DROP ROLE IF EXISTS "+role)
		require.NoError(t, err)
		_ = owner.Close(ctx)
	})
	require.NoError(t, roles.GrantReadOnly(ctx, owner, role, "not checked by the test server", ""))
	// Twice: the command may run again after an upgrade.
	require.NoError(t, roles.GrantReadOnly(ctx, owner, role, "", ""))
	return ownerURL, role
}

// The script grants SELECT on every table of the migrated store, and only
// on those: a migration that adds a table must add it to the script.
func TestReadOnlyScriptNamesEveryTableOfTheStore(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, storetest.URL(t))
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()
	rows, err := conn.Query(ctx, storeTables+" ORDER BY 1")
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)

	var granted []string
	for _, match := range regexp.MustCompile(`:"schema"\.(\w+)`).FindAllStringSubmatch(roles.ReadOnlyScript, -1) {
		granted = append(granted, match[1])
	}
	slices.Sort(granted)
	require.Equal(t, tables, granted)
}

func TestInterpolateQuotesIdentifiersAndNeedsEveryVariable(t *testing.T) {
	sql, err := roles.Interpolate(`GRANT USAGE ON SCHEMA :"schema" TO :"role";`, map[string]string{"schema": "public", "role": `odd"name`})
	require.NoError(t, err)
	require.Equal(t, `GRANT USAGE ON SCHEMA "public" TO "odd""name";`, sql)
	_, err = roles.Interpolate(`GRANT CONNECT ON DATABASE :"DBNAME" TO :"role";`, map[string]string{"role": "r"})
	require.EqualError(t, err, "the script needs a value for DBNAME")
}

// requireCode runs sql and requires PostgreSQL's error code.
func requireCode(t *testing.T, conn *pgx.Conn, code, sql string) {
	t.Helper()
	_, err := conn.Exec(context.Background(), sql)
	var pgErr *pgconn.PgError
	require.True(t, errors.As(err, &pgErr), "%s: want error %s, got %v", sql, code, err)
	require.Equal(t, code, pgErr.Code, "%s: %s", sql, pgErr.Message)
}

// The role reads every table, and writes nothing: its sessions are read-only,
// and with that turned off by hand it still has no privilege to write.
func TestReadOnlyRoleReadsEveryTableAndWritesNothing(t *testing.T) {
	ctx := context.Background()
	ownerURL, role := readOnlyRole(t)
	conn, err := pgx.Connect(ctx, storetest.WithUser(ownerURL, role))
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()

	var readOnly string
	require.NoError(t, conn.QueryRow(ctx, "SHOW default_transaction_read_only").Scan(&readOnly))
	require.Equal(t, "on", readOnly, "the role's sessions start read-only")
	rows, err := conn.Query(ctx, storeTables)
	require.NoError(t, err)
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	require.NotEmpty(t, tables)
	for _, table := range tables {
		_, err := conn.Exec(ctx, "SELECT count(*) FROM "+table)
		require.NoError(t, err, table)
	}
	// The phrase metrics' normalisation is the one function the plugin calls.
	var phrase string
	require.NoError(t, conn.QueryRow(ctx, "SELECT message_phrase(' Hello,  World!? ')").Scan(&phrase))
	require.Equal(t, "hello, world", phrase)
	privilege, err := store.WritePrivilege(ctx, conn)
	require.NoError(t, err)
	require.Empty(t, privilege)

	const readOnlyTransaction, insufficientPrivilege = "25006", "42501"
	writes := []string{
		"INSERT INTO workspaces (slug, name) VALUES ('intruder', 'Intruder')",
		"UPDATE workspaces SET name = 'changed'",
		"DELETE FROM messages",
		"TRUNCATE credit_ledger",
		"CREATE TABLE notes (body text)",
		"CREATE FUNCTION f() RETURNS int LANGUAGE sql AS 'SELECT 1'",
	}
	for _, sql := range writes {
		requireCode(t, conn, readOnlyTransaction, sql)
	}
	_, err = conn.Exec(ctx, "SET default_transaction_read_only = off")
	require.NoError(t, err)
	for _, sql := range writes {
		requireCode(t, conn, insufficientPrivilege, sql)
	}
	requireCode(t, conn, insufficientPrivilege, "SELECT nextval('messages_id_seq')")
	// Partitions are created as the owner, for users that may insert only.
	requireCode(t, conn, insufficientPrivilege, "SELECT ensure_time_partitions('2031-01-01', '2031-01-01')")
}

// A role that had more is left with exactly the read grants.
func TestGrantReadOnlyTakesAwayEarlierGrants(t *testing.T) {
	ctx := context.Background()
	ownerURL, role := readOnlyRole(t)
	owner, err := pgx.Connect(ctx, ownerURL)
	require.NoError(t, err)
	defer func() { _ = owner.Close(ctx) }()
	_, err = owner.Exec(ctx, "GRANT INSERT, DELETE ON messages TO "+role+"; GRANT CREATE ON SCHEMA public TO "+role)
	require.NoError(t, err)
	require.NoError(t, roles.GrantReadOnly(ctx, owner, role, "", ""))

	var writes bool
	require.NoError(t, owner.QueryRow(ctx, `SELECT has_table_privilege($1, 'messages', 'INSERT,DELETE')
		OR has_schema_privilege($1, 'public', 'CREATE')`, role).Scan(&writes))
	require.False(t, writes)
}
