package store

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// ReplicaBackoff is how long reads skip a replica that could not answer:
// they go straight to the primary meanwhile, so that each query does not
// first pay a refused or timed-out connection to a replica that is down.
// The first read after it tries the replica again.
const ReplicaBackoff = 15 * time.Second

// ReplicaConnectTimeout bounds connecting to the replica, and checking an
// idle connection to it, when the statement timeout leaves room for it (see
// replicaConnectTimeout): a replica that does not answer then falls back to
// the primary within the query's own deadline instead of using it up.
const ReplicaConnectTimeout = 5 * time.Second

// PostgreSQL error codes that mean the replica cannot answer now, whatever
// the query: it is shutting down or starting, or replaying WAL cancelled
// the statement ("canceling statement due to conflict with recovery" is a
// serialization failure; the plugin's read-only, read-committed sessions
// meet no other).
const (
	codeAdminShutdown        = "57P01"
	codeCrashShutdown        = "57P02"
	codeSerializationFailure = "40001"
)

// ErrNotReplica is a connection to the replica's address that found a
// server which is not in recovery: a primary (a promoted standby, or a
// wrong address). Reads do not use it, since its data may be another's.
var ErrNotReplica = errors.New("pg_is_in_recovery() is false: the server is not a streaming replica")

// Reads sends the plugin's reads to the replica when the settings name one
// and it is answering, and to the primary otherwise.
type Reads struct {
	// Primary is the primary's pool; the health check and the read-only
	// role's first check always have one.
	Primary *pgxpool.Pool
	// Replica is the replica's pool, nil when the settings name none.
	Replica *pgxpool.Pool
	// Backoff is how long a replica that failed is skipped (ReplicaBackoff).
	Backoff time.Duration

	primary, replica models.Settings
	mu               sync.Mutex
	skipUntil        time.Time
	lastFailure      error
}

// OpenReads creates the primary's pool and, when s names a replica, the
// replica's. Neither connects until a read does.
func OpenReads(ctx context.Context, s models.Settings) (*Reads, error) {
	primary, err := Open(ctx, s)
	if err != nil {
		return nil, err
	}
	r := &Reads{Primary: primary, Backoff: ReplicaBackoff, primary: s}
	if !s.HasReplica() {
		return r, nil
	}
	r.replica = s.Replica()
	config, err := PoolConfig(r.replica)
	if err != nil {
		primary.Close()
		return nil, err
	}
	timeout := replicaConnectTimeout(s)
	config.ConnConfig.ConnectTimeout = timeout
	config.PingTimeout = timeout
	priced := config.AfterConnect
	config.AfterConnect = func(ctx context.Context, conn *pgx.Conn) error {
		ctx, cancel := context.WithTimeout(ctx, timeout)
		defer cancel()
		if err := checkInRecovery(ctx, conn); err != nil {
			return err
		}
		return priced(ctx, conn)
	}
	if r.Replica, err = pgxpool.NewWithConfig(ctx, config); err != nil {
		primary.Close()
		return nil, err
	}
	return r, nil
}

// replicaConnectTimeout is ReplicaConnectTimeout, or a quarter of the
// query's bound when that is shorter, so that a connection and a check of
// an idle one that both time out still leave half the bound to the primary.
func replicaConnectTimeout(s models.Settings) time.Duration {
	return min(ReplicaConnectTimeout, Bound(s)/4)
}

// checkInRecovery refuses a connection to a server that is not in recovery.
func checkInRecovery(ctx context.Context, conn *pgx.Conn) error {
	var inRecovery bool
	if err := conn.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&inRecovery); err != nil {
		return err
	}
	if !inRecovery {
		return ErrNotReplica
	}
	return nil
}

// Close closes both pools.
func (r *Reads) Close() {
	r.Primary.Close()
	if r.Replica != nil {
		r.Replica.Close()
	}
}

// Served says which server a read went to last: the replica, or the
// primary, and then why not the replica.
type Served struct {
	// Replica is set when the replica answered, or failed with an error of
	// the query's own.
	Replica bool
	// ReplicaFailure is why the primary answered instead of the replica
	// (nil without a replica): the error the replica failed with, now or
	// before the back-off that is skipping it.
	ReplicaFailure error
	// BackingOff is set when the replica was not tried: it failed less than
	// Backoff ago (ReplicaFailure is that failure).
	BackingOff bool
	// Settings are those of the server that answered or failed, for
	// Classify to name its address.
	Settings models.Settings
}

// Read runs read on the replica's pool, or on the primary's when there is no
// replica or it is backing off. A replica that fails with ReplicaUnavailable
// is skipped for Backoff and read runs again on the primary, so read must
// start afresh each time (a new budget, no rows kept from the first run).
func (r *Reads) Read(ctx context.Context, read func(*pgxpool.Pool) error) (Served, error) {
	if r.Replica == nil {
		return Served{Settings: r.primary}, read(r.Primary)
	}
	if failure := r.skipping(); failure != nil {
		return Served{ReplicaFailure: failure, BackingOff: true, Settings: r.primary}, read(r.Primary)
	}
	err := read(r.Replica)
	// A query whose own context ended (its deadline, or Grafana cancelling
	// it) has no time left for the primary; nor is it the replica's fault.
	if err == nil || ctx.Err() != nil || !ReplicaUnavailable(err) {
		return Served{Replica: true, Settings: r.replica}, err
	}
	r.skip(err)
	return Served{ReplicaFailure: err, Settings: r.primary}, read(r.Primary)
}

// skipping is the replica's last failure while its back-off lasts, nil after.
func (r *Reads) skipping() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if time.Now().Before(r.skipUntil) {
		return r.lastFailure
	}
	return nil
}

func (r *Reads) skip(err error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.skipUntil, r.lastFailure = time.Now().Add(r.Backoff), err
}

// ReplicaUnavailable says whether err, from a read on the replica, means
// that the replica cannot answer now, so that the primary should, rather
// than that the query failed on its own (bad input, the statement timeout,
// a missing privilege), which the primary would answer the same way.
//
// Unavailable are: any failure to open a connection (refused, reset,
// unreachable, timed out, TLS, login, "the database system is starting up"
// 57P03, too many connections), a server that is not a replica
// (ErrNotReplica), a session ended by a shutdown (57P01 admin_shutdown,
// 57P02 crash_shutdown) or dropped (reset, broken pipe, end of stream), and
// a statement cancelled by a conflict with recovery (40001). Not the
// plugin's own deadline (DeadlineError) or a closed pool: no time is left,
// or the instance is going away. Read asks only while the query's context
// is alive, so a timeout it sees is the replica's own (ReplicaConnectTimeout).
func ReplicaUnavailable(err error) bool {
	var deadline *DeadlineError
	if err == nil || errors.Is(err, errClosed) || errors.As(err, &deadline) {
		return false
	}
	var connectErr *pgconn.ConnectError
	if errors.As(err, &connectErr) || errors.Is(err, ErrNotReplica) {
		return true
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case codeAdminShutdown, codeCrashShutdown, codeCannotConnectNow, codeSerializationFailure:
			return true
		}
		return false // the server answered: the query's own error
	}
	return errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		pgconn.Timeout(err) || pgconn.SafeToRetry(err)
}

// ReplicaReason says in a few words why the replica could not answer, for
// the notice on a frame the primary answered instead: the server's own
// message, or the network's, without the connection details of err.
func ReplicaReason(err error) string {
	var pgErr *pgconn.PgError
	var errno syscall.Errno
	switch {
	case errors.Is(err, ErrNotReplica):
		return "it is not in recovery, so not a streaming replica"
	case errors.As(err, &pgErr):
		return fmt.Sprintf("%s (%s)", pgErr.Message, pgErr.Code)
	case errors.As(err, &errno):
		return errno.Error()
	case pgconn.Timeout(err) || errors.Is(err, context.DeadlineExceeded):
		return "it did not answer in time"
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		return "it closed the connection"
	}
	return "the connection failed"
}
