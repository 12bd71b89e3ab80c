package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// The summaries' sorted arrays are never compressed (migration 33): a
// compressed array is decompressed at every use, and the percentiles' binary
// search and the distinct counts' width_bucket use each several times. Every
// array column of the store is stored EXTERNAL, and a day row whose array is
// far over the 2 kB at which PostgreSQL compresses keeps it uncompressed.
func TestSortedArraysAreStoredUncompressed(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, storetest.URL(t))
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()

	var compressible []string
	require.NoError(t, conn.QueryRow(ctx, `
		SELECT coalesce(array_agg(c.relname || '.' || a.attname ORDER BY c.relname, a.attname), '{}')
		FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
		WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p') AND a.attnum > 0
		  AND NOT a.attisdropped AND a.atttypid = 'bigint[]'::regtype AND a.attstorage <> 'e'`).Scan(&compressible))
	require.Empty(t, compressible, "array columns that PostgreSQL may compress")

	var arrays int
	require.NoError(t, conn.QueryRow(ctx, `
		SELECT count(*) FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
		WHERE c.relnamespace = 'public'::regnamespace AND a.attnum > 0 AND a.atttypid = 'bigint[]'::regtype`).Scan(&arrays))
	require.GreaterOrEqual(t, arrays, 15, "the response run, assignment, active and language contact arrays")

	tx, err := conn.Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	// 4,000 values that compress well (one second apart): 32 kB raw.
	var compression *string
	var size, raw int
	require.NoError(t, tx.QueryRow(ctx, `
		WITH w AS (INSERT INTO workspaces (slug, name) VALUES ('uncompressed-arrays', 'Uncompressed arrays') RETURNING id),
		r AS (INSERT INTO response_run_days (workspace_id, day, agent_id, platform, runs, response_seconds, response_us)
			SELECT w.id, '2022-01-01Z', 1, 'webchat', 4000, 0, ARRAY(SELECT g * 1000000::bigint FROM generate_series(1, 4000) g) FROM w
			RETURNING response_us)
		SELECT 1 FROM r`).Scan(new(int)))
	require.NoError(t, tx.QueryRow(ctx, `
		SELECT pg_column_compression(s.response_us), pg_column_size(s.response_us), 20 + 8 * cardinality(s.response_us)
		FROM response_run_days s JOIN workspaces w ON w.id = s.workspace_id WHERE w.slug = 'uncompressed-arrays'`).
		Scan(&compression, &size, &raw))
	require.Nil(t, compression, "the array is stored as it is")
	require.Equal(t, raw, size)
}
