package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// DeadlineMargin is what the plugin adds to the statement timeout for its own
// deadline: time to wait for a pool connection, connect, and read the rows.
// It keeps PostgreSQL's own cancellation (a clearer message) first whenever
// the server is alive, and bounds the query when it is not: a frozen or
// unreachable server never answers the statement timeout, and without a
// deadline of its own the plugin waited for Grafana's (minutes), and queries
// queued for a busy pool waited for every query ahead of them.
const DeadlineMargin = 2 * time.Second

// Bound is the longest the plugin works on one query, health check or
// resource call for settings s: the statement timeout plus DeadlineMargin.
func Bound(s models.Settings) time.Duration {
	return s.StatementTimeoutDuration + DeadlineMargin
}

// errDeadline is the cause of a context ended by WithDeadline, so that the
// plugin's own deadline is told apart from Grafana cancelling the request.
var errDeadline = errors.New("the plugin's deadline for this query passed")

// WithDeadline is ctx ending at the latest at deadline, with a cause that
// Acquire, Ran and so Classify recognise.
func WithDeadline(ctx context.Context, deadline time.Time) (context.Context, context.CancelFunc) {
	return context.WithDeadlineCause(ctx, deadline, errDeadline)
}

// DeadlineError is a statement stopped by the plugin's own deadline.
// Waiting says it never got a connection: the pool stayed busy, or the
// server did not answer a new connection or the check of an idle one.
type DeadlineError struct {
	Waiting bool
	Err     error
}

func (e *DeadlineError) Error() string {
	if e.Waiting {
		return "waiting for a connection: " + e.Err.Error()
	}
	return "waiting for the store: " + e.Err.Error()
}

func (e *DeadlineError) Unwrap() error { return e.Err }

// Acquire takes a connection from pool; its error tells Classify that the
// statement never reached the store.
func Acquire(ctx context.Context, pool *pgxpool.Pool) (*pgxpool.Conn, error) {
	conn, err := pool.Acquire(ctx)
	if err != nil {
		return nil, ended(ctx, err, true)
	}
	return conn, nil
}

// Ran is err, from running a statement under ctx, marked when the plugin's
// deadline stopped it.
func Ran(ctx context.Context, err error) error {
	return ended(ctx, err, false)
}

func ended(ctx context.Context, err error, waiting bool) error {
	if err == nil || errors.Is(err, errClosed) {
		return err
	}
	if ctx.Err() != nil && errors.Is(context.Cause(ctx), errDeadline) {
		return &DeadlineError{Waiting: waiting, Err: err}
	}
	return err
}

// Each runs sql and hands every row to keep, decoded by read, until keep
// says to stop. Rows are never all held at once: the caller keeps what fits.
func Each[T any](ctx context.Context, pool *pgxpool.Pool, sql string, args []any, read pgx.RowToFunc[T], keep func(T) bool) error {
	conn, err := Acquire(ctx, pool)
	if err != nil {
		return err
	}
	defer conn.Release()
	// Stopping early cancels the statement rather than reading the rest of
	// its result off the wire, which for a large result would outlast the
	// statement timeout; the connection is then closed, and the pool opens
	// another when it needs one.
	statementCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	rows, err := conn.Query(statementCtx, sql, args...)
	if err != nil {
		return Ran(ctx, err)
	}
	defer rows.Close()
	for rows.Next() {
		value, err := read(rows)
		if err != nil {
			return Ran(ctx, err)
		}
		if !keep(value) {
			cancel()
			rows.Close()
			return Ran(ctx, ctx.Err()) // nil unless the query's own context ended meanwhile
		}
	}
	return Ran(ctx, rows.Err())
}

// Values reads a row as pgx decodes it (text, bool, time.Time, int64,
// float64 or nil per column), for Each.
func Values(row pgx.CollectableRow) ([]any, error) { return row.Values() }
