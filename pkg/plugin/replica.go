package plugin

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
)

// replicaNotices are the notices of a frame the primary answered because
// the replica could not. An info rather than a warning: the data is the
// primary's, as complete and as current; and Grafana's panel header shows one
// notice per severity, so the response budget's warning still shows beside
// it. A fresh failure is logged once; reads during its back-off are not.
func (ds *Datasource) replicaNotices(ctx context.Context, served store.Served) []data.Notice {
	if served.ReplicaFailure == nil {
		return nil
	}
	replica := ds.settings.Replica()
	if !served.BackingOff {
		log.DefaultLogger.FromContext(ctx).Warn("the read replica failed: reading from the primary",
			"replica", address(replica), "backoff", ds.reads.Backoff, "error", served.ReplicaFailure)
	}
	return []data.Notice{{
		Severity: data.NoticeSeverityInfo,
		Text: fmt.Sprintf("Answered by the primary: the read replica at %s is unavailable (%s). "+
			"Reads go to the primary meanwhile; the replica is tried again %s after it failed.",
			address(replica), store.ReplicaReason(served.ReplicaFailure), ds.reads.Backoff),
	}}
}

// replicaHealth is what the health check adds about the replica, after the
// primary passed: its replay lag, or that it cannot be reached and reads go
// to the primary (which leaves the data source working: ok is true), or
// that the server at its address is not a replica (ok is false: a wrong
// address, or a promoted standby, is a setting to fix).
func (ds *Datasource) replicaHealth(ctx context.Context) (message string, ok bool) {
	if ds.reads.Replica == nil {
		return "", true
	}
	replica := ds.settings.Replica()
	var inRecovery bool
	var lag *float64
	err := readOn(ctx, ds.reads.Replica, func(conn *pgxpool.Conn) error {
		return conn.QueryRow(ctx, "SELECT pg_is_in_recovery(), EXTRACT(epoch FROM now() - pg_last_xact_replay_timestamp())::float8").
			Scan(&inRecovery, &lag)
	})
	switch {
	case errors.Is(err, store.ErrNotReplica) || (err == nil && !inRecovery):
		return fmt.Sprintf("the read replica at %s is not a replica: pg_is_in_recovery() is false there, so it is a primary "+
			"(a promoted standby, or another server): enter the address of a streaming replica of this store, or clear the replica host; "+
			"meanwhile reads go to the primary", address(replica)), false
	case err != nil:
		return fmt.Sprintf("; the read replica is unavailable, so reads go to the primary: %s", store.Classify(err, replica).Message), true
	case lag == nil:
		return fmt.Sprintf("; reads go to the read replica at %s (it has replayed no transaction since it started)", address(replica)), true
	}
	return fmt.Sprintf("; reads go to the read replica at %s (replay lag %s)", address(replica),
		time.Duration(*lag*float64(time.Second)).Round(time.Millisecond)), true
}

// readOn runs read on a connection of pool, marking the plugin's deadline.
func readOn(ctx context.Context, pool *pgxpool.Pool, read func(*pgxpool.Conn) error) error {
	conn, err := store.Acquire(ctx, pool)
	if err != nil {
		return err
	}
	defer conn.Release()
	return store.Ran(ctx, read(conn))
}

// address is host:port of settings s.
func address(s models.Settings) string { return fmt.Sprintf("%s:%d", s.Host, s.Port) }
