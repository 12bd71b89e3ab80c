package plugin

import (
	"context"
	"fmt"
	"net"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

func checkHealth(t *testing.T, settings backend.DataSourceInstanceSettings) *backend.CheckHealthResult {
	t.Helper()
	instance, err := NewDatasource(context.Background(), settings)
	require.NoError(t, err)
	ds := instance.(*Datasource)
	defer ds.Dispose()
	result, err := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	require.NoError(t, err)
	return result
}

// exec runs sql on the database at url.
func exec(t testing.TB, url, sql string) {
	t.Helper()
	conn, err := pgx.Connect(context.Background(), url)
	require.NoError(t, err)
	defer func() { _ = conn.Close(context.Background()) }()
	_, err = conn.Exec(context.Background(), sql)
	require.NoError(t, err)
}

func TestHealthOK(t *testing.T) {
	result := checkHealth(t, instanceSettings(t, fixtureURL(t, "usage_fixture"), "acme"))
	require.Equal(t, backend.HealthStatusOk, result.Status, result.Message)
	require.Equal(t, fmt.Sprintf(`Connected to the conversation store (schema version %d), workspace "acme"`, store.SchemaVersion), result.Message)
}

func TestHealthUnknownWorkspaceListsTheKnownOnes(t *testing.T) {
	result := checkHealth(t, instanceSettings(t, fixtureURL(t, "usage_fixture"), "acmee"))
	require.Equal(t, backend.HealthStatusError, result.Status)
	require.Equal(t, `workspace "acmee" is not in the store (it has: acme, other): correct the workspace in the data source settings`, result.Message)
}

func TestHealthSchemaMissingOrNewer(t *testing.T) {
	url := storetest.URL(t)
	future := store.SchemaVersion + 1
	exec(t, url, fmt.Sprintf("INSERT INTO schema_migrations (version, name) VALUES (%d, 'from_the_future')", future))
	newer := checkHealth(t, instanceSettings(t, url, "acme"))
	require.Equal(t, fmt.Sprintf("the conversation store's schema is version %d, newer than this plugin reads (%d): upgrade the plugin",
		future, store.SchemaVersion), newer.Message)

	exec(t, url, "DROP TABLE schema_migrations")
	missing := checkHealth(t, instanceSettings(t, url, "acme"))
	require.Equal(t, backend.HealthStatusError, missing.Status)
	require.Contains(t, missing.Message, "has no conversation store schema: create it with `"+store.MigrateCommand+"`")
}

func TestHealthLoginRefused(t *testing.T) {
	config, err := pgx.ParseConfig(storetest.URL(t))
	require.NoError(t, err)
	result := checkHealth(t, backend.DataSourceInstanceSettings{JSONData: []byte(`{"host":"127.0.0.1","port":` +
		itoa(int(config.Port)) + `,"database":"postgres","user":"nobody_here","tlsMode":"disable","workspace":"acme"}`)})
	require.Equal(t, backend.HealthStatusError, result.Status)
	require.Contains(t, result.Message, `refused the login for user "nobody_here" (role "nobody_here" does not exist): check the user and password in the data source settings`)
}

func TestHealthStoreUnreachable(t *testing.T) {
	// A port that was free a moment ago: nothing listens there.
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := listener.Addr().(*net.TCPAddr).Port
	require.NoError(t, listener.Close())

	result := checkHealth(t, backend.DataSourceInstanceSettings{JSONData: []byte(
		`{"host":"127.0.0.1","port":` + itoa(port) + `,"database":"chat","user":"grafana","tlsMode":"disable","workspace":"acme"}`)})
	require.Equal(t, backend.HealthStatusError, result.Status)
	require.Contains(t, result.Message, "cannot reach PostgreSQL at 127.0.0.1:"+itoa(port))
	require.Contains(t, result.Message, "check the host and port, the TLS mode, and that the server accepts connections from Grafana")
}
