//go:build unix

package plugin

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/localpg"
)

// hangGuard fails a test whose call has not returned long after the
// plugin's own bound: it guards against hanging, it measures nothing.
const hangGuard = 30 * time.Second

// lockActivity takes every table that active users are read from, the raw
// messages and their summaries, so that faultQuery waits whichever it reads.
const lockActivity = "LOCK TABLE messages, message_slots, message_hours, message_days, contact_slots, contact_hours, contact_days, message_minutes, message_minute_peaks, contact_first_inbound, first_inbound_slots, first_inbound_hours, first_inbound_days, active_contact_slots, active_contact_hours, active_contact_days IN ACCESS EXCLUSIVE MODE"

// holdActivity takes lockActivity in a transaction of another session, held
// until the test ends (or the returned transaction is rolled back).
func holdActivity(t *testing.T, url string) pgx.Tx {
	t.Helper()
	ctx := context.Background()
	holder, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	t.Cleanup(func() { _ = holder.Close(ctx) })
	tx, err := holder.Begin(ctx)
	require.NoError(t, err)
	t.Cleanup(func() { _ = tx.Rollback(ctx) })
	_, err = tx.Exec(ctx, lockActivity)
	require.NoError(t, err)
	return tx
}

// faultQuery is the query the fault tests send: active users per platform.
const faultQuery = `{"queryType":"totals","metric":"active_users","groupBy":"platform"}`

// within runs call, failing the test if it has not returned within hangGuard.
func within[T any](t *testing.T, call func() T) T {
	t.Helper()
	done := make(chan T, 1)
	go func() { done <- call() }()
	select {
	case v := <-done:
		return v
	case <-time.After(hangGuard):
		t.Fatalf("no answer within %s: the plugin has no deadline of its own", hangGuard)
		panic("unreachable")
	}
}

// dedicatedServer is a PostgreSQL server of this test's own, so that it can
// be frozen without freezing the other tests' server, holding the usage
// fixture; it is removed when the test ends.
func dedicatedServer(t *testing.T) (*localpg.Server, string) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts a PostgreSQL server of its own")
	}
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "chatbot-metrics-faults-")
	require.NoError(t, err)
	server, err := localpg.Start(ctx, filepath.Join(dir, "pg"))
	if err != nil {
		_ = os.RemoveAll(dir)
		t.Fatalf("starting a dedicated PostgreSQL: %v", err)
	}
	t.Cleanup(func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := server.Remove(stopCtx); err != nil {
			// A server that was frozen may be slow to shut down on a busy
			// machine: it is a throwaway, so it is killed instead.
			t.Logf("stopping the dedicated server: %v; killing it", err)
			if postmaster, err := server.PostmasterPID(); err == nil {
				for _, pid := range childProcesses(postmaster) {
					_ = syscall.Kill(pid, syscall.SIGKILL)
				}
				_ = syscall.Kill(postmaster, syscall.SIGKILL)
			}
		}
		_ = os.RemoveAll(dir)
	})
	url := server.URL("postgres")
	conn, err := pgx.Connect(ctx, url)
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()
	_, err = store.Migrate(ctx, conn)
	require.NoError(t, err)
	fixture, err := os.ReadFile("testdata/usage_fixture.sql")
	require.NoError(t, err)
	_, err = conn.Exec(ctx, string(fixture))
	require.NoError(t, err)
	return server, url
}

// serverProcesses are the postmaster and its children (one backend per
// session, and the background workers): freezing the postmaster alone
// leaves the sessions already open answering.
func serverProcesses(t *testing.T, server *localpg.Server) []int {
	t.Helper()
	postmaster, err := server.PostmasterPID()
	require.NoError(t, err)
	return append([]int{postmaster}, childProcesses(postmaster)...)
}

// childProcesses are the processes whose parent is pid, from /proc.
func childProcesses(pid int) []int {
	var children []int
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, path := range stats {
		raw, err := os.ReadFile(path)
		if err != nil {
			continue // the process ended meanwhile
		}
		// pid (comm) state ppid ...; comm may hold spaces, so read after the last ")".
		fields := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
		if len(fields) > 1 && fields[1] == strconv.Itoa(pid) {
			child, _ := strconv.Atoi(filepath.Base(filepath.Dir(path)))
			children = append(children, child)
		}
	}
	return children
}

// freeze stops every process of server with SIGSTOP, the postmaster first
// so that it forks no new one, and continues them when the test ends or
// when the returned thaw is called.
func freeze(t *testing.T, server *localpg.Server) (thaw func()) {
	t.Helper()
	pids := serverProcesses(t, server)
	var once sync.Once
	thaw = func() {
		once.Do(func() {
			for _, pid := range pids {
				_ = syscall.Kill(pid, syscall.SIGCONT)
			}
		})
	}
	// Registered before anything is stopped, so that a failure below still
	// leaves a server that can shut down.
	t.Cleanup(thaw)
	for _, pid := range pids {
		// A short-lived child (a worker that just finished) may be gone
		// since the listing: it needs no freezing.
		if err := syscall.Kill(pid, syscall.SIGSTOP); err != nil && !errors.Is(err, syscall.ESRCH) {
			require.NoError(t, err)
		}
	}
	return thaw
}

// faultSettings are instance settings over url with a 1 s statement timeout
// and a pool of maxConns.
func faultSettings(t *testing.T, url string, maxConns int) backend.DataSourceInstanceSettings {
	t.Helper()
	settings := instanceSettings(t, url, "acme")
	settings.JSONData = []byte(strings.Replace(strings.Replace(string(settings.JSONData),
		`"statementTimeout":"20s"`, `"statementTimeout":"1s"`, 1),
		`"maxConns":4`, `"maxConns":`+strconv.Itoa(maxConns), 1))
	require.Contains(t, string(settings.JSONData), `"statementTimeout":"1s"`)
	return settings
}

func TestFrozenStoreAnswersWithinTheStatementTimeout(t *testing.T) {
	server, url := dedicatedServer(t)
	instance, err := NewDatasource(context.Background(), faultSettings(t, url, 2))
	require.NoError(t, err)
	ds := instance.(*Datasource)
	t.Cleanup(ds.Dispose)
	where := "127.0.0.1:" + strconv.Itoa(server.Port)

	// A working query first: the pool holds an open session, which the
	// freeze then leaves without an answer.
	ask(t, ds, faultQuery, "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z")
	thaw := freeze(t, server)

	r := within(t, func() backend.DataResponse {
		return queryOnce(t, ds, faultQuery, "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z")
	})
	require.Error(t, r.Error)
	t.Logf("query on the frozen store: %d %s", r.Status, r.Error)
	require.Equal(t, backend.StatusTimeout, r.Status)
	require.Equal(t, backend.ErrorSourceDownstream, r.ErrorSource)
	require.Regexp(t, `^(PostgreSQL at `+where+` did not answer|no connection to PostgreSQL at `+where+`) within 3s \(the statement timeout 1s plus 2s\): `, r.Error.Error())

	health := within(t, func() *backend.CheckHealthResult {
		result, err := ds.CheckHealth(context.Background(), &backend.CheckHealthRequest{})
		require.NoError(t, err)
		return result
	})
	require.Equal(t, backend.HealthStatusError, health.Status)
	t.Logf("health check on the frozen store: %s", health.Message)
	require.Regexp(t, `PostgreSQL at `+where+`.* within 3s \(the statement timeout 1s plus 2s\)`, health.Message)

	// A resource call has the same bound.
	values := within(t, func() *backend.CallResourceResponse {
		return callResource(t, ds, http.MethodGet, "dimensions/inbox/values")
	})
	require.Equal(t, http.StatusGatewayTimeout, values.Status, string(values.Body))
	require.Contains(t, string(values.Body), "within 3s (the statement timeout 1s plus 2s)")

	// The store comes back: the next query answers.
	thaw()
	frame := within(t, func() backend.DataResponse {
		return queryOnce(t, ds, faultQuery, "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z")
	})
	require.NoError(t, frame.Error)
	require.Len(t, frame.Frames, 1)
	require.Equal(t, 2, frame.Frames[0].Rows())
}

func TestQueuedQueriesEachAnswerWithinTheirOwnBound(t *testing.T) {
	url := fixtureURL(t, "usage_fixture")
	instance, err := NewDatasource(context.Background(), faultSettings(t, url, 2))
	require.NoError(t, err)
	ds := instance.(*Datasource)
	t.Cleanup(ds.Dispose)
	ask(t, ds, faultQuery, "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z") // the workspace is known

	// Another session holds the messages table: every query waits for the
	// lock until PostgreSQL's statement timeout, holding its connection.
	ctx := context.Background()
	holdActivity(t, url)

	request := &backend.QueryDataRequest{}
	for i := range 10 {
		request.Queries = append(request.Queries, dataQuery("Q"+itoa(i), faultQuery, "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z"))
	}
	resp := within(t, func() *backend.QueryDataResponse {
		resp, err := ds.QueryData(ctx, request)
		require.NoError(t, err)
		return resp
	})
	require.Len(t, resp.Responses, 10)
	waited := 0
	for refID, r := range resp.Responses {
		require.Error(t, r.Error, refID)
		require.Equal(t, backend.StatusTimeout, r.Status, "%s: %v", refID, r.Error)
		require.Equal(t, backend.ErrorSourceDownstream, r.ErrorSource, refID)
		if strings.HasPrefix(r.Error.Error(), "no connection to PostgreSQL") {
			require.Contains(t, r.Error.Error(), "all 2 connections are busy with other queries")
			waited++
		}
	}
	// Each query holds a connection for at least the statement timeout
	// (1 s), so 2 connections run at most 6 queries within the 3 s bound:
	// at least 4 must have stopped waiting at their own bound rather than
	// waiting for the others' turn.
	require.GreaterOrEqual(t, waited, 4)
}

// Grafana disposes of an instance (closing its pool) a few seconds after
// new settings are saved; queries still waiting for one of its connections
// get a clear answer to run again, not a plugin error about a closed pool.
func TestQueriesWaitingWhileSettingsChangeAskToRunAgain(t *testing.T) {
	url := fixtureURL(t, "usage_fixture")
	settings := instanceSettings(t, url, "acme")
	settings.JSONData = []byte(strings.Replace(string(settings.JSONData), `"maxConns":4`, `"maxConns":1`, 1))
	instance, err := NewDatasource(context.Background(), settings)
	require.NoError(t, err)
	ds := instance.(*Datasource)
	t.Cleanup(ds.Dispose)
	ask(t, ds, faultQuery, "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z") // the workspace is known

	ctx := context.Background()
	tx := holdActivity(t, url)

	// One query holds the pool's only connection, waiting for the lock;
	// two more requests wait for that connection.
	answers := make(chan backend.DataResponse, 3)
	run := func() { answers <- queryOnce(t, ds, faultQuery, "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z") }
	go run()
	waitFor(t, "the first query waits for the lock", func() bool {
		var waiting int
		require.NoError(t, tx.QueryRow(ctx, "SELECT count(*) FROM pg_stat_activity WHERE application_name = $1 AND wait_event_type = 'Lock'",
			store.ApplicationName).Scan(&waiting))
		return waiting == 1
	})
	go run()
	go run()
	// Time for both to reach the pool, where nothing shows a waiter; one
	// that came later would meet the closed pool and answer the same.
	time.Sleep(200 * time.Millisecond)

	// As the instance manager does: new settings came, the old instance
	// goes. Closing waits for the connection in use, so the first query is
	// let go once the pool refuses new acquisitions (a moment after the
	// instance is marked disposed: no I/O lies between the two).
	disposed := make(chan struct{})
	go func() { ds.Dispose(); close(disposed) }()
	waitFor(t, "the instance is disposed of", ds.disposed.Load)
	time.Sleep(100 * time.Millisecond)
	require.NoError(t, tx.Rollback(ctx))

	var ok, again int
	for range 3 {
		r := within(t, func() backend.DataResponse { return <-answers })
		if r.Error == nil {
			ok++
			continue
		}
		require.Equal(t, backend.Status(http.StatusServiceUnavailable), r.Status, r.Error.Error())
		require.Equal(t, backend.ErrorSourceDownstream, r.ErrorSource)
		require.Equal(t, "the data source settings changed while this query waited: run it again", r.Error.Error())
		again++
	}
	require.Equal(t, 1, ok, "the query that had the connection finishes")
	require.Equal(t, 2, again)
	within(t, func() struct{} { <-disposed; return struct{}{} })

	// A query that reaches the disposed instance afterwards gets the same answer.
	late := queryOnce(t, ds, faultQuery, "2022-01-01T00:00:00Z", "2022-02-01T00:00:00Z")
	require.Equal(t, backend.Status(http.StatusServiceUnavailable), late.Status)
	health, err := ds.CheckHealth(ctx, &backend.CheckHealthRequest{})
	require.NoError(t, err)
	require.Equal(t, "the data source settings changed while this query waited: run it again", health.Message)
}

// waitFor polls until done, failing the test after hangGuard.
func waitFor(t *testing.T, what string, done func() bool) {
	t.Helper()
	for start := time.Now(); !done(); time.Sleep(20 * time.Millisecond) {
		if time.Since(start) > hangGuard {
			t.Fatalf("waited %s for %s", hangGuard, what)
		}
	}
}
