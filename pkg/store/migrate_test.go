package store_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

func TestMain(m *testing.M) { storetest.Main(m) }

func TestMigrateIsIdempotentAndRecordsTheVersion(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, storetest.URL(t))
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()

	version, err := store.CurrentVersion(ctx, conn)
	require.NoError(t, err)
	require.Equal(t, store.SchemaVersion, version, "storetest databases come migrated")

	applied, err := store.Migrate(ctx, conn)
	require.NoError(t, err)
	require.Empty(t, applied, "a migrated database needs nothing more")

	var withoutWorkspace []string
	require.NoError(t, conn.QueryRow(ctx,
		`SELECT coalesce(array_agg(t.table_name::text ORDER BY t.table_name), '{}')
		 FROM information_schema.tables t
		 WHERE t.table_schema = 'public' AND NOT EXISTS (
		   SELECT 1 FROM information_schema.columns c
		   WHERE c.table_schema = 'public' AND c.table_name = t.table_name AND c.column_name = 'workspace_id')`,
	).Scan(&withoutWorkspace))
	require.Equal(t, []string{"schema_migrations", "workspaces"}, withoutWorkspace,
		"every table but the workspaces themselves and the migration log carries the workspace")
}

func TestCurrentVersionOfAnEmptyDatabaseIsZero(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, storetest.URL(t))
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()
	_, err = conn.Exec(ctx, "DROP TABLE schema_migrations")
	require.NoError(t, err)
	version, err := store.CurrentVersion(ctx, conn)
	require.NoError(t, err)
	require.Zero(t, version)
}

// Every trigger function that keeps a summary over a statement's transition
// tables (they all raise work_mem for it) plans without JIT: compiling those
// statements for a bulk load costs more than it saves (migration 13).
func TestSummaryTriggersPlanWithoutJIT(t *testing.T) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, storetest.URL(t))
	require.NoError(t, err)
	defer func() { _ = conn.Close(ctx) }()

	var maintainers, withJIT []string
	require.NoError(t, conn.QueryRow(ctx,
		`SELECT coalesce(array_agg(p.proname::text ORDER BY p.proname), '{}'),
		        coalesce(array_agg(p.proname::text ORDER BY p.proname) FILTER (WHERE NOT 'jit=off' = ANY(p.proconfig)), '{}')
		 FROM pg_proc p
		 WHERE p.prorettype = 'trigger'::regtype AND p.pronamespace = 'public'::regnamespace
		   AND 'work_mem=64MB' = ANY(p.proconfig)`,
	).Scan(&maintainers, &withJIT))
	require.Contains(t, maintainers, "message_summaries_maintain")
	require.GreaterOrEqual(t, len(maintainers), 9, "the summaries' trigger functions: %v", maintainers)
	require.Empty(t, withJIT, "summary trigger functions without jit = off")
}
