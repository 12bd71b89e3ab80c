package store_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"syscall"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/puddle/v2"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// closedPort is a loopback port that was free a moment ago: nothing listens there.
func closedPort(t *testing.T) int {
	t.Helper()
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := listener.Addr().(*net.TCPAddr).Port
	require.NoError(t, listener.Close())
	return port
}

// refusedConnection is the error of a real connection attempt that nothing answers.
func refusedConnection(t *testing.T) error {
	t.Helper()
	_, err := pgconn.Connect(context.Background(), fmt.Sprintf("postgres://grafana@127.0.0.1:%d/chat?sslmode=disable", closedPort(t)))
	require.Error(t, err)
	return err
}

// Which errors of a read on the replica send it to the primary: the
// replica's unavailability, not the query's own faults, which the primary
// would answer the same way.
func TestReplicaUnavailable(t *testing.T) {
	pgErr := func(code, message string) error {
		return &pgconn.PgError{Severity: "ERROR", Code: code, Message: message}
	}
	falls := map[string]error{
		"connection refused":           refusedConnection(t),
		"wrapped connection refused":   fmt.Errorf("reading: %w", refusedConnection(t)),
		"admin shutdown":               pgErr("57P01", "terminating connection due to administrator command"),
		"crash shutdown":               pgErr("57P02", "terminating connection because of crash of another server process"),
		"cannot connect now":           pgErr("57P03", "the database system is starting up"),
		"conflict with recovery":       pgErr("40001", "canceling statement due to conflict with recovery"),
		"not a replica":                store.ErrNotReplica,
		"connection reset":             &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET},
		"broken pipe":                  &net.OpError{Op: "write", Net: "tcp", Err: syscall.EPIPE},
		"server closed the connection": fmt.Errorf("failed to receive message: %w", io.ErrUnexpectedEOF),
	}
	for name, err := range falls {
		require.True(t, store.ReplicaUnavailable(err), "%s: %v", name, err)
	}
	stays := map[string]error{
		"statement timeout":        pgErr("57014", "canceling statement due to statement timeout"),
		"bad input":                pgErr("22P02", `invalid input syntax for type bigint: "x"`),
		"division by zero":         pgErr("22012", "division by zero"),
		"missing table":            pgErr("42P01", `relation "messages" does not exist`),
		"no privilege":             pgErr("42501", "permission denied for table messages"),
		"the plugin's deadline":    &store.DeadlineError{Waiting: true, Err: context.DeadlineExceeded},
		"the deadline mid-query":   &store.DeadlineError{Err: errors.New("timeout: context deadline exceeded")},
		"cancelled by Grafana":     context.Canceled,
		"the instance was dropped": puddle.ErrClosedPool,
		"a plugin error":           errors.New("scanning: cannot scan text into float64"),
		"no error":                 nil,
	}
	for name, err := range stays {
		require.False(t, store.ReplicaUnavailable(err), "%s: %v", name, err)
	}
}

func TestReplicaReasonIsShort(t *testing.T) {
	require.Equal(t, "connection refused", store.ReplicaReason(refusedConnection(t)))
	require.Equal(t, "terminating connection due to administrator command (57P01)",
		store.ReplicaReason(&pgconn.PgError{Code: "57P01", Message: "terminating connection due to administrator command"}))
	require.Equal(t, "it is not in recovery, so not a streaming replica", store.ReplicaReason(store.ErrNotReplica))
	require.Equal(t, "it closed the connection", store.ReplicaReason(io.ErrUnexpectedEOF))
}

// withReplica are the settings for the database at url, with a replica at host:port.
func withReplica(t *testing.T, url, host string, port int) models.Settings {
	t.Helper()
	config, err := pgx.ParseConfig(url)
	require.NoError(t, err)
	s, err := models.LoadSettings(backend.DataSourceInstanceSettings{JSONData: []byte(fmt.Sprintf(
		`{"host":%q,"port":%d,"database":%q,"user":%q,"tlsMode":"disable","workspace":"acme","replicaHost":%q,"replicaPort":%d}`,
		config.Host, config.Port, config.Database, config.User, host, port))})
	require.NoError(t, err)
	return s
}

// readsWithDeadReplica are reads whose primary is a real test database and
// whose replica nothing answers, skipped for backoff after it fails.
func readsWithDeadReplica(t *testing.T, backoff time.Duration) *store.Reads {
	t.Helper()
	reads, err := store.OpenReads(context.Background(), withReplica(t, storetest.URL(t), "127.0.0.1", closedPort(t)))
	require.NoError(t, err)
	t.Cleanup(reads.Close)
	reads.Backoff = backoff
	return reads
}

// readOne reads one value through reads, recording which pools it ran on.
func readOne(t *testing.T, reads *store.Reads, sql string) ([]*pgxpool.Pool, store.Served, error) {
	t.Helper()
	var ran []*pgxpool.Pool
	ctx := context.Background()
	served, err := reads.Read(ctx, func(pool *pgxpool.Pool) error {
		ran = append(ran, pool)
		return store.Each(ctx, pool, sql, nil, pgx.RowTo[int], func(int) bool { return true })
	})
	return ran, served, err
}

// A replica that refuses connections sends the read to the primary, and is
// not tried again until the back-off has passed. The back-offs are an hour
// (never over during the test) and zero (always over), so nothing here
// depends on how fast the machine is.
func TestReadsSkipAFailedReplicaForTheBackoff(t *testing.T) {
	reads := readsWithDeadReplica(t, time.Hour)
	ran, served, err := readOne(t, reads, "SELECT 1")
	require.NoError(t, err)
	require.Equal(t, []*pgxpool.Pool{reads.Replica, reads.Primary}, ran, "the replica first, then the primary")
	require.False(t, served.Replica)
	require.False(t, served.BackingOff)
	require.ErrorContains(t, served.ReplicaFailure, "connection refused")
	require.EqualValues(t, reads.Primary.Config().ConnConfig.Port, served.Settings.Port, "errors name the primary")

	ran, served, err = readOne(t, reads, "SELECT 1")
	require.NoError(t, err)
	require.Equal(t, []*pgxpool.Pool{reads.Primary}, ran, "during the back-off, the primary only")
	require.True(t, served.BackingOff)
	require.ErrorContains(t, served.ReplicaFailure, "connection refused", "the notice still says why")

	over := readsWithDeadReplica(t, 0)
	for range 2 {
		ran, served, err = readOne(t, over, "SELECT 1")
		require.NoError(t, err)
		require.Equal(t, []*pgxpool.Pool{over.Replica, over.Primary}, ran, "after the back-off, the replica is tried again")
		require.False(t, served.BackingOff)
	}
}

// A query's own error on the replica is its answer: the primary would fail
// the same way, so it is not asked.
func TestReadsDoNotRetryTheQuerysOwnError(t *testing.T) {
	ctx := context.Background()
	url := storetest.URL(t)
	open := func() *pgxpool.Pool {
		pool, err := pgxpool.New(ctx, url)
		require.NoError(t, err)
		t.Cleanup(pool.Close)
		return pool
	}
	reads := &store.Reads{Primary: open(), Replica: open(), Backoff: time.Hour}
	ran, served, err := readOne(t, reads, "SELECT 1 / 0")
	var pgErr *pgconn.PgError
	require.ErrorAs(t, err, &pgErr)
	require.Equal(t, "22012", pgErr.Code)
	require.Equal(t, []*pgxpool.Pool{reads.Replica}, ran)
	require.True(t, served.Replica)
	require.NoError(t, served.ReplicaFailure)

	ran, _, err = readOne(t, reads, "SELECT 1")
	require.NoError(t, err)
	require.Equal(t, []*pgxpool.Pool{reads.Replica}, ran, "no back-off after the query's own error")
}

// A replica address that leads to a primary is not read from: its
// connections are refused by the recovery check, and the primary answers.
func TestReadsRefuseAServerThatIsNotInRecovery(t *testing.T) {
	url := storetest.URL(t)
	config, err := pgx.ParseConfig(url)
	require.NoError(t, err)
	// The same server under another name: allowed by the settings' own
	// check, which compares names, and found out by the recovery check.
	reads, err := store.OpenReads(context.Background(), withReplica(t, url, "localhost", int(config.Port)))
	require.NoError(t, err)
	t.Cleanup(reads.Close)
	ran, served, err := readOne(t, reads, "SELECT 1")
	require.NoError(t, err)
	require.Equal(t, []*pgxpool.Pool{reads.Replica, reads.Primary}, ran)
	require.ErrorIs(t, served.ReplicaFailure, store.ErrNotReplica)
}
