package store

import (
	"context"
	"fmt"
	"time"
)

// MaxPartitionMonthsAhead bounds how far ahead the store tool creates monthly
// partitions: ten years is far more than any store plans for, and a typo
// (-ahead 1000) should not create a thousand tables.
const MaxPartitionMonthsAhead = 120

// EnsureTimePartitions creates the monthly partitions of the UTC months from
// the one holding from to the one holding to, both included, for every table
// partitioned by time (migration 4: messages), moving the rows of those
// months out of the default partition. It returns the partitions it created,
// in month order; months that already had theirs are skipped.
func EnsureTimePartitions(ctx context.Context, q Querier, from, to time.Time) ([]string, error) {
	var created []string
	err := q.QueryRow(ctx, "SELECT coalesce(array_agg(p ORDER BY n), '{}') FROM ensure_time_partitions($1, $2) WITH ORDINALITY AS e(p, n)",
		from, to).Scan(&created)
	if err != nil {
		return nil, fmt.Errorf("creating the monthly partitions from %s to %s: %w", from.UTC().Format("2006-01"), to.UTC().Format("2006-01"), err)
	}
	return created, nil
}

// DefaultPartitionRows counts the messages waiting in the default partition:
// rows of months that have no partition of their own yet.
func DefaultPartitionRows(ctx context.Context, q Querier) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, "SELECT count(*) FROM messages_default").Scan(&n)
	return n, err
}
