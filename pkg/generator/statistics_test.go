package generator_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// tableRelations is a WHERE condition on pg_class c that keeps the
// relations holding the rows of table $1: its partitions, or the table.
const tableRelations = `c.oid IN (SELECT p.relid FROM pg_partition_tree($1::regclass) p WHERE p.isleaf)
		OR (c.oid = $1::regclass AND c.relkind = 'r')`

// tableStatistics is a table's row count in pg_class (for a partitioned
// table, the sum over its partitions) and its real row count, both as the
// load's transaction sees them.
func tableStatistics(ctx context.Context, tx pgx.Tx, table string) (estimated, counted float64, err error) {
	err = tx.QueryRow(ctx, `SELECT coalesce(sum(greatest(c.reltuples, 0)), 0)::float8 FROM pg_class c WHERE `+tableRelations,
		table).Scan(&estimated)
	if err != nil {
		return 0, 0, err
	}
	err = tx.QueryRow(ctx, "SELECT count(*)::float8 FROM "+pgx.Identifier{table}.Sanitize()).Scan(&counted)
	return estimated, counted, err
}

// The triggers of each table plan their statements with the statistics of
// what the load wrote before it. A store that held data before has
// statistics of other rows: here every table's page and row counts say
// "analyzed, empty" (what an automatic ANALYZE records while a load's rows
// are not yet committed), the state in which the assignments' triggers
// took minutes per thousand rows. Before each table with triggers is
// copied, the tables already loaded (and the summaries their triggers
// wrote) are analyzed in the load's transaction.
func TestLoadAnalyzesWhatItWroteBeforeEachTable(t *testing.T) {
	ctx := context.Background()
	pool := storetest.Pool(t)
	_, err := pool.Exec(ctx, "ANALYZE")
	require.NoError(t, err)

	type seen struct{ estimated, counted float64 }
	before := map[string]map[string]seen{}
	watched := []string{"contacts", "conversations", "messages", "assignments", "conversation_inbound", "conversation_slots"}
	defer generator.SetBeforeCopy(func(ctx context.Context, tx pgx.Tx, table string) error {
		before[table] = map[string]seen{}
		for _, w := range watched {
			estimated, counted, err := tableStatistics(ctx, tx, w)
			if err != nil {
				return err
			}
			before[table][w] = seen{estimated, counted}
		}
		return nil
	})()
	_, err = generator.Load(ctx, pool, generator.Config{Seed: 11, Start: start, Days: 14, Contacts: 300})
	require.NoError(t, err)

	// Before the assignments, every watched table but the assignments
	// holds rows, and its statistics count them (ANALYZE samples at most
	// 30,000 rows per table, more than these hold: the counts are exact).
	for _, w := range watched {
		s := before["assignments"][w]
		if w == "assignments" {
			assert.Zero(t, s.counted)
			continue
		}
		assert.Positive(t, s.counted, w)
		assert.Equal(t, s.counted, s.estimated, "%s's statistics before the assignments' COPY", w)
	}
	// And the messages' statistics are current before the later tables.
	for _, table := range []string{"flow_triggers", "template_sends", "ai_assist_uses"} {
		s := before[table]["messages"]
		assert.Equal(t, s.counted, s.estimated, "the messages' statistics before %s's COPY", table)
		assert.Equal(t, before[table]["assignments"].counted, before[table]["assignments"].estimated, "the assignments' statistics before %s's COPY", table)
	}
	// Before the conversations, the contacts were analyzed; the messages
	// were not loaded yet.
	assert.Equal(t, before["conversations"]["contacts"].counted, before["conversations"]["contacts"].estimated)
	assert.Zero(t, before["conversations"]["messages"].counted)
}

// After the load's commit every page of the loaded tables is all-visible in
// the visibility map (the load ends with VACUUM (ANALYZE)), so the covering
// indexes' index-only scans answer from the index from the first query,
// without waiting for autovacuum.
func TestLoadLeavesTheTablesAllVisible(t *testing.T) {
	ctx := context.Background()
	pool := storetest.Pool(t)
	_, err := generator.Load(ctx, pool, generator.Config{Seed: 11, Start: start, Days: 14, Contacts: 300})
	require.NoError(t, err)
	for _, table := range []string{"contacts", "conversations", "messages", "assignments", "contact_first_inbound"} {
		var pages, visible int64
		require.NoError(t, pool.QueryRow(ctx, `SELECT coalesce(sum(c.relpages), 0), coalesce(sum(c.relallvisible), 0) FROM pg_class c WHERE `+tableRelations,
			table).Scan(&pages, &visible))
		assert.Positive(t, pages, table)
		assert.Equal(t, pages, visible, "%s's pages marked all-visible", table)
	}
}
