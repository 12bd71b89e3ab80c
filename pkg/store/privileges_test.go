package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// settingsFor are data source settings for the database at url.
func settingsFor(t *testing.T, url string) models.Settings {
	t.Helper()
	config, err := pgx.ParseConfig(url)
	require.NoError(t, err)
	s, err := models.LoadSettings(backend.DataSourceInstanceSettings{JSONData: []byte(fmt.Sprintf(
		`{"host":%q,"port":%d,"database":%q,"user":%q,"tlsMode":"disable","workspace":"acme"}`,
		config.Host, config.Port, config.Database, config.User))})
	require.NoError(t, err)
	return s
}

// The plugin's own sessions cannot write, even as a superuser.
func TestPluginSessionsCannotWrite(t *testing.T) {
	ctx := context.Background()
	pool, err := store.Open(ctx, settingsFor(t, storetest.URL(t)))
	require.NoError(t, err)
	defer pool.Close()
	for _, sql := range []string{
		"INSERT INTO workspaces (slug, name) VALUES ('intruder', 'Intruder')",
		"DELETE FROM workspaces",
		"CREATE TABLE notes (body text)",
	} {
		_, err := pool.Exec(ctx, sql)
		var pgErr *pgconn.PgError
		require.True(t, errors.As(err, &pgErr), "%s: %v", sql, err)
		require.Equal(t, "25006", pgErr.Code, pgErr.Message)
		require.Contains(t, pgErr.Message, "read-only transaction")
	}
}

// WritePrivilege names what lets a user write: superuser, CREATE on the
// schema, or a write privilege on a table, and how many more it has.
func TestWritePrivilegeNamesThePrivilege(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t)
	owner, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer func() { _ = owner.Close(ctx) }()
	privilege, err := store.WritePrivilege(ctx, owner)
	require.NoError(t, err)
	require.Equal(t, "is a superuser", privilege)

	role := fmt.Sprintf("writer_%d", os.Getpid())
	_, err = owner.Exec(ctx, "CREATE ROLE "+role+" LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA public TO "+role)
	require.NoError(t, err)
	t.Cleanup(func() { _, _ = owner.Exec(ctx, "DROP OWNED BY "+role+"; DROP ROLE "+role) })
	asRole, err := pgx.Connect(ctx, storetest.WithUser(url, role))
	require.NoError(t, err)
	defer func() { _ = asRole.Close(ctx) }()
	privilegeOf := func() string {
		t.Helper()
		privilege, err := store.WritePrivilege(ctx, asRole)
		require.NoError(t, err)
		return privilege
	}
	require.Empty(t, privilegeOf())

	grant := func(sql string) {
		t.Helper()
		_, err := owner.Exec(ctx, sql)
		require.NoError(t, err)
	}
	grant("GRANT TRUNCATE ON credit_ledger TO " + role)
	require.Equal(t, "has TRUNCATE on table credit_ledger", privilegeOf())
	grant("GRANT INSERT, UPDATE ON agents TO " + role)
	require.Equal(t, "has INSERT on table agents and 2 more write privileges on the store's tables", privilegeOf())
	grant("GRANT CREATE ON SCHEMA public TO " + role)
	require.Equal(t, "has CREATE on schema public", privilegeOf())
	grant("REVOKE ALL ON ALL TABLES IN SCHEMA public FROM " + role + "; REVOKE CREATE ON SCHEMA public FROM " + role +
		"; GRANT SELECT ON ALL TABLES IN SCHEMA public TO " + role + "; GRANT pg_write_all_data TO " + role)
	// The first table by name, whichever a migration added last.
	require.Regexp(t, `^has INSERT on table [a-z_]+ and \d+ more write privileges on the store's tables$`, privilegeOf())
}
