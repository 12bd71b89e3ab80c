//go:build unix

package plugin

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/localpg"
)

// replicaLogging makes both servers log every statement with the session's
// application name, so that the servers themselves say which one ran the
// plugin's statements.
var replicaLogging = localpg.Options{Settings: map[string]string{"log_statement": "all", "log_line_prefix": "%a: "}}

// streamingPair is a primary holding the usage fixture and a streaming
// replica of it made with pg_basebackup -R, each a server of this test's
// own, removed when the test ends. The schema is in the base backup; the
// fixture reaches the replica by streaming, and is replayed when this returns.
func streamingPair(t *testing.T) (primary, replica *localpg.Server) {
	t.Helper()
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "chatbot-metrics-replica-")
	require.NoError(t, err)
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	primary, err = localpg.StartWith(ctx, filepath.Join(dir, "primary"), replicaLogging)
	require.NoError(t, err)
	t.Cleanup(func() { _ = primary.Stop(context.Background()) })
	primaryURL := primary.URL("postgres")
	conn, err := pgx.Connect(ctx, primaryURL)
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()
	_, err = store.Migrate(ctx, conn)
	require.NoError(t, err)

	replica, err = primary.StartReplica(ctx, filepath.Join(dir, "replica"), replicaLogging)
	if errors.Is(err, localpg.ErrNoBaseBackup) {
		t.Skipf("cannot make a streaming replica: %v", err)
	}
	require.NoError(t, err)
	t.Cleanup(func() { _ = replica.Stop(context.Background()) })

	fixture, err := os.ReadFile("testdata/usage_fixture.sql")
	require.NoError(t, err)
	_, err = conn.Exec(ctx, string(fixture))
	require.NoError(t, err)
	// The insert position, past the fixture's commit record: the test
	// servers commit asynchronously, so the write position may still be
	// before it, and the replica would pass it without the fixture's rows.
	var lsn string
	require.NoError(t, conn.QueryRow(ctx, "SELECT pg_current_wal_insert_lsn()::text").Scan(&lsn))

	standby, err := pgx.Connect(ctx, replica.URL("postgres"))
	require.NoError(t, err)
	defer func() { _ = standby.Close(ctx) }()
	var inRecovery bool
	require.NoError(t, standby.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&inRecovery))
	require.True(t, inRecovery, "the replica is in recovery")
	eventually(t, "the replica replays the fixture", func() bool {
		var replayed bool
		require.NoError(t, standby.QueryRow(ctx, "SELECT coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, false)", lsn).Scan(&replayed))
		return replayed
	})
	return primary, replica
}

// eventually polls done until it holds, failing the test after a minute.
func eventually(t *testing.T, what string, done func() bool) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !done(); time.Sleep(100 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within a minute", what)
		}
	}
}

// ranOn is how many times server's log shows the plugin's sessions
// executing sql: lines "grafana-chatbot-metrics: LOG:  execute <name>: <sql>".
func ranOn(t *testing.T, server *localpg.Server, sql string) int {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(server.Dir, "server.log"))
	require.NoError(t, err)
	count := 0
	for _, entry := range strings.Split(string(raw), "\n"+store.ApplicationName+": LOG:  execute ")[1:] {
		if _, statement, ok := strings.Cut(entry, ": "); ok && strings.HasPrefix(statement, sql) {
			count++
		}
	}
	return count
}

// withReplica is settings with the replica at port on 127.0.0.1.
func withReplica(t *testing.T, settings backend.DataSourceInstanceSettings, port int) backend.DataSourceInstanceSettings {
	t.Helper()
	var jsonData map[string]any
	require.NoError(t, json.Unmarshal(settings.JSONData, &jsonData))
	jsonData["replicaHost"], jsonData["replicaPort"] = "127.0.0.1", port
	raw, err := json.Marshal(jsonData)
	require.NoError(t, err)
	settings.JSONData = raw
	return settings
}

// Reads go to a real streaming replica; when it stops, the primary answers
// the same numbers with a notice, and after it is back and the back-off has
// passed, reads go to it again. Which server ran each statement is read
// from the servers' own logs.
func TestReadsGoToTheReplicaAndFallBackToThePrimary(t *testing.T) {
	ctx := context.Background()
	primary, replica := streamingPair(t)
	ds := newDatasourceFrom(t, withReplica(t, instanceSettings(t, primary.URL("postgres"), "acme"), replica.Port))
	replicaAt := "127.0.0.1:" + itoa(replica.Port)

	health, err := ds.CheckHealth(ctx, &backend.CheckHealthRequest{})
	require.NoError(t, err)
	require.Equal(t, backend.HealthStatusOk, health.Status, health.Message)
	require.Contains(t, health.Message, `workspace "acme"; reads go to the read replica at `+replicaAt+" (replay lag ")

	// Active users from December 2021 to January 2022 (usage_fixture.sql's
	// header): whatsapp 1..67 wrote in December and 68..473 first in
	// January, 473 distinct; webchat 1001..1009 wrote again in January and
	// 1050..1069 first, 29.
	const dec, feb = "2021-12-01T00:00:00Z", "2022-02-01T00:00:00Z"
	want := [][2]any{{"webchat", 29.0}, {"whatsapp", 473.0}}

	// (a) The replica answers; the primary never sees the statement.
	frame := ask(t, ds, faultQuery, dec, feb)
	// The statements are fenced by the workspace's id from here on.
	workspace, err := ds.checkWorkspace(ctx)
	require.NoError(t, err)
	require.Positive(t, workspace.ID)
	agents, _, err := sqlbuild.DimensionValuesOrdered("agent", workspace, time.Time{}, time.Time{}, sqlbuild.OrderByName)
	require.NoError(t, err)
	require.Equal(t, want, rows(t, frame))
	require.Empty(t, frame.Meta.Notices)
	sql := frame.Meta.ExecutedQueryString
	require.Equal(t, 1, ranOn(t, replica, sql), "the replica ran the query")
	require.Equal(t, 0, ranOn(t, primary, sql), "the primary did not")
	status, values := dimensionValues(t, ds, "dimensions/agent/values")
	require.Equal(t, http.StatusOK, status, values)
	require.Equal(t, []string{"Ana"}, values, "the fixture's one agent")
	require.Equal(t, 1, ranOn(t, replica, agents.SQL), "the replica listed the agents")
	require.Equal(t, 0, ranOn(t, primary, agents.SQL))

	// (b) The replica stops: the primary answers the same numbers, with a
	// notice. The back-off is shortened so that (c) need not wait 15 s.
	ds.reads.Backoff = 2 * time.Second
	require.NoError(t, replica.Stop(ctx))
	fellBack := ask(t, ds, faultQuery, dec, feb)
	require.Equal(t, want, rows(t, fellBack))
	requireAnsweredByThePrimary(t, fellBack, replicaAt)
	require.Equal(t, 1, ranOn(t, primary, sql), "the primary ran the query")
	// The next query too (during the back-off, the replica is not tried;
	// store's TestReadsSkipAFailedReplicaForTheBackoff shows that).
	requireAnsweredByThePrimary(t, ask(t, ds, faultQuery, dec, feb), replicaAt)
	require.Equal(t, 2, ranOn(t, primary, sql))
	status, values = dimensionValues(t, ds, "dimensions/agent/values")
	require.Equal(t, http.StatusOK, status, values)
	require.Equal(t, []string{"Ana"}, values)
	require.Equal(t, 1, ranOn(t, primary, agents.SQL), "the primary listed the agents")

	health, err = ds.CheckHealth(ctx, &backend.CheckHealthRequest{})
	require.NoError(t, err)
	require.Equal(t, backend.HealthStatusOk, health.Status, "the primary still answers: %s", health.Message)
	t.Log(health.Message)
	require.Contains(t, health.Message, "; the read replica is unavailable, so reads go to the primary: cannot reach PostgreSQL at "+replicaAt)

	// (c) The replica is back: once the back-off has passed, reads go to it again.
	require.NoError(t, replica.Restart(ctx, replicaLogging))
	eventually(t, "a query is answered by the restarted replica", func() bool {
		return len(ask(t, ds, faultQuery, dec, feb).Meta.Notices) == 0
	})
	onPrimary := ranOn(t, primary, sql)
	again := ask(t, ds, faultQuery, dec, feb)
	require.Equal(t, want, rows(t, again))
	require.Empty(t, again.Meta.Notices)
	require.Equal(t, 3, ranOn(t, replica, sql), "the replica ran the query that found it back, and this one")
	require.Equal(t, onPrimary, ranOn(t, primary, sql), "the primary ran neither")

	// (d) The replica stops answering without closing anything (every
	// process frozen): a new connection to it times out, within the query's
	// deadline, and the primary answers. Its pool is emptied first, so that
	// the query needs a new connection rather than sending its statement on
	// an open one, which only the query's deadline would end.
	freeze(t, replica)
	ds.reads.Replica.Reset()
	frozen := ask(t, ds, faultQuery, dec, feb)
	require.Equal(t, want, rows(t, frozen))
	requireAnsweredByThePrimary(t, frozen, replicaAt)
	require.Contains(t, frozen.Meta.Notices[0].Text, "is unavailable (it did not answer in time)")
	require.Equal(t, onPrimary+1, ranOn(t, primary, sql))
}

// requireAnsweredByThePrimary checks the notice of a frame the primary
// answered because the replica at replicaAt was unavailable.
func requireAnsweredByThePrimary(t *testing.T, frame *data.Frame, replicaAt string) {
	t.Helper()
	require.Len(t, frame.Meta.Notices, 1)
	notice := frame.Meta.Notices[0]
	require.Equal(t, data.NoticeSeverityInfo, notice.Severity)
	require.Contains(t, notice.Text, "Answered by the primary: the read replica at "+replicaAt+" is unavailable (")
	require.Contains(t, notice.Text, "). Reads go to the primary meanwhile; the replica is tried again 2s after it failed.")
	t.Log(notice.Text)
}

// newDatasourceFrom is an instance for settings, disposed of when the test ends.
func newDatasourceFrom(t *testing.T, settings backend.DataSourceInstanceSettings) *Datasource {
	t.Helper()
	instance, err := NewDatasource(context.Background(), settings)
	require.NoError(t, err)
	ds := instance.(*Datasource)
	t.Cleanup(ds.Dispose)
	return ds
}

// A replica address that leads to a primary fails Save & test, naming the
// setting; queries meanwhile are answered by the primary, with the notice.
func TestHealthSaysWhenTheReplicaIsNotAReplica(t *testing.T) {
	url := fixtureURL(t, "usage_fixture")
	config, err := pgx.ParseConfig(url)
	require.NoError(t, err)
	// The primary itself under another name, which the settings' own check
	// (comparing names) lets through.
	settings := withReplica(t, instanceSettings(t, url, "acme"), int(config.Port))
	settings.JSONData = []byte(strings.Replace(string(settings.JSONData), `"replicaHost":"127.0.0.1"`, `"replicaHost":"localhost"`, 1))
	require.Contains(t, string(settings.JSONData), `"replicaHost":"localhost"`)
	ds := newDatasourceFrom(t, settings)

	health, err := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	require.NoError(t, err)
	require.Equal(t, backend.HealthStatusError, health.Status)
	require.Equal(t, "the read replica at localhost:"+itoa(int(config.Port))+" is not a replica: pg_is_in_recovery() is false there, "+
		"so it is a primary (a promoted standby, or another server): enter the address of a streaming replica of this store, "+
		"or clear the replica host; meanwhile reads go to the primary", health.Message)

	frame := ask(t, ds, faultQuery, "2021-12-01T00:00:00Z", "2022-02-01T00:00:00Z")
	require.Equal(t, [][2]any{{"webchat", 29.0}, {"whatsapp", 473.0}}, rows(t, frame), "as in TestReadsGoToTheReplicaAndFallBackToThePrimary")
	require.Len(t, frame.Meta.Notices, 1)
	require.Contains(t, frame.Meta.Notices[0].Text, "is unavailable (it is not in recovery, so not a streaming replica)")
}

// A replica that nothing answers leaves Save & test green on the primary,
// saying that reads go to the primary.
func TestHealthWithAnUnreachableReplica(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := listener.Addr().(*net.TCPAddr).Port
	require.NoError(t, listener.Close())

	ds := newDatasourceFrom(t, withReplica(t, instanceSettings(t, fixtureURL(t, "usage_fixture"), "acme"), port))
	health, err := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
	require.NoError(t, err)
	require.Equal(t, backend.HealthStatusOk, health.Status, health.Message)
	require.Contains(t, health.Message, `workspace "acme"; the read replica is unavailable, so reads go to the primary: `+
		"cannot reach PostgreSQL at 127.0.0.1:"+itoa(port))
}
