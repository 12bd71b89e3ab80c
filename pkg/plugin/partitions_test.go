package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// storeState is what partitioning must keep: every table's rows (as text,
// so every column counts), the summaries, and the id the next message gets.
const storeState = `SELECT concat_ws(E'\n',
  (SELECT string_agg(format('%s %s', c.relname, (xpath('/row/n/text()', query_to_xml(format('SELECT count(*) AS n FROM %I', c.relname), false, true, '')))[1]), ', ' ORDER BY c.relname)
     FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind IN ('r', 'p') AND NOT c.relispartition),
  (SELECT md5(string_agg(m::text, ',' ORDER BY m.workspace_id, m.id)) FROM messages m),
  (SELECT string_agg(s::text, ',' ORDER BY s::text) FROM message_slots s),
  (SELECT string_agg(s::text, ',' ORDER BY s::text) FROM contact_slots s),
  (SELECT string_agg(s::text, ',' ORDER BY s::text) FROM message_minutes s),
  (SELECT string_agg(s::text, ',' ORDER BY s::text) FROM contact_first_inbound s),
  (SELECT string_agg(t::text, ',' ORDER BY t.workspace_id, t.id) FROM template_sends t),
  (SELECT format('next message id %s', nextval(pg_get_serial_sequence('messages', 'id')))))`

// partitionedRange is the usage fixture's span, November 2021 to March 2022.
var partitionedRange = backend.TimeRange{From: time.Date(2021, 11, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2022, 4, 1, 0, 0, 0, 0, time.UTC)}

// metricAnswers are acme's answers to every metric a summary serves, as
// totals and as monthly series in Madrid, from the summaries and from the raw
// rows.
func metricAnswers(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	for _, id := range summaryMetrics {
		for _, kind := range []models.QueryKind{models.KindTotals, models.KindTimeSeries} {
			plan, err := catalog.Resolve(models.Query{QueryType: kind, Metric: id, Interval: "month", Timezone: "Europe/Madrid",
				TimeRange: partitionedRange, MaxDataPoints: 500, GrafanaStep: time.Hour})
			if err != nil {
				continue // a metric without this kind
			}
			if kind == models.KindTotals {
				for _, build := range []func(catalog.Plan, string) (sqlbuild.Statement, error){sqlbuild.Totals, sqlbuild.RawTotals} {
					s, err := build(plan, "acme")
					require.NoError(t, err, id)
					rows, err := collect[store.Totaled](ctx, pool, s)
					require.NoError(t, err, id)
					out = append(out, id+" totals: "+strings.Join(totaledText(rows), "; "))
				}
				continue
			}
			for _, build := range []func(catalog.Plan, string) (sqlbuild.Statement, error){sqlbuild.TimeSeries, sqlbuild.RawTimeSeries} {
				s, err := build(plan, "acme")
				require.NoError(t, err, id)
				rows, err := collect[store.Bucketed](ctx, pool, s)
				require.NoError(t, err, id)
				out = append(out, id+" series: "+strings.Join(bucketedText(rows), "; "))
			}
		}
	}
	return out
}

func stateOf(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var state string
	require.NoError(t, pool.QueryRow(context.Background(), storeState).Scan(&state))
	return state
}

// Migration 4 turns a populated store's messages into a partitioned table
// and keeps every row, id, summary row and answer.
func TestPartitioningAPopulatedStoreKeepsEveryRowAndAnswer(t *testing.T) {
	ctx := context.Background()
	url := storetest.EmptyURL(t)
	migrations, err := store.Migrations()
	require.NoError(t, err)
	for _, m := range migrations {
		if m.Version < 4 {
			exec(t, url, m.SQL)
		}
	}
	fixture, err := os.ReadFile("testdata/usage_fixture.sql")
	require.NoError(t, err)
	exec(t, url, string(fixture))
	pool, err := pgxpool.New(ctx, url)
	require.NoError(t, err)
	defer pool.Close()

	before, answers := stateOf(t, pool), metricAnswers(t, pool)
	// The fixture's header counts 479 + 69 acme contacts and 3 of other's.
	require.Contains(t, before, "contacts 551")
	var acmeMessages int
	require.NoError(t, pool.QueryRow(ctx, "SELECT count(*) FROM messages WHERE workspace_id = 1").Scan(&acmeMessages))
	require.Contains(t, answers, fmt.Sprintf(`total_messages totals: "" null %d`, acmeMessages), "the answers count the fixture's messages")

	for _, m := range migrations {
		if m.Version == 4 {
			exec(t, url, m.SQL)
		}
	}
	pool.Reset() // the sessions cached plans of the old table
	var kind string
	require.NoError(t, pool.QueryRow(ctx, "SELECT relkind::text FROM pg_class WHERE relname = 'messages'").Scan(&kind))
	require.Equal(t, "p", kind, "messages is partitioned")
	// The sequence moved on by one in each stateOf: the second reads one further.
	after := stateOf(t, pool)
	require.Equal(t, strings.Replace(before, lastLine(before), nextID(t, lastLine(before), 1), 1), after)
	require.Equal(t, answers, metricAnswers(t, pool))

	// Every fixture month has its partition, and none of the rows waits in the default one.
	var months []string
	require.NoError(t, pool.QueryRow(ctx, `SELECT array_agg(DISTINCT tableoid::regclass::text ORDER BY tableoid::regclass::text) FROM messages`).Scan(&months))
	require.Equal(t, []string{"messages_2021_11", "messages_2021_12", "messages_2022_01", "messages_2022_02", "messages_2022_03"}, months)
}

func lastLine(s string) string { return s[strings.LastIndex(s, "\n")+1:] }

// nextID adds n to the id in "next message id N".
func nextID(t *testing.T, line string, n int64) string {
	t.Helper()
	var id int64
	_, err := fmt.Sscanf(line, "next message id %d", &id)
	require.NoError(t, err)
	return fmt.Sprintf("next message id %d", id+n)
}

// relationsIn lists the tables a JSON plan reads, sorted, once each.
func relationsIn(t *testing.T, plan []byte) []string {
	t.Helper()
	var tree any
	require.NoError(t, json.Unmarshal(plan, &tree))
	var names []string
	var walk func(any)
	walk = func(node any) {
		switch n := node.(type) {
		case map[string]any:
			if name, ok := n["Relation Name"].(string); ok {
				names = append(names, name)
			}
			for _, v := range n {
				walk(v)
			}
		case []any:
			for _, v := range n {
				walk(v)
			}
		}
	}
	walk(tree)
	slices.Sort(names)
	return slices.Compact(names)
}

// A statement over one month reads that month's partition of messages and no
// other: the planner prunes the rest with the statement's own bounds.
func TestAMonthsStatementReadsOnlyThatMonthsPartition(t *testing.T) {
	ctx := context.Background()
	url := fixtureURL(t, "usage_fixture")
	// The fixture went into the default partition: these months had none.
	exec(t, url, "SELECT ensure_time_partitions('2021-11-01', '2022-03-31')")
	pool, err := pgxpool.New(ctx, url)
	require.NoError(t, err)
	defer pool.Close()

	january := backend.TimeRange{From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC)}
	for _, c := range []struct {
		metric string
		build  func(catalog.Plan, string) (sqlbuild.Statement, error)
		want   []string
	}{
		// Every message of the range, raw.
		{"total_messages", sqlbuild.RawTotals, []string{"messages_2022_01", "workspaces"}},
		// The summary answers whole slots from message_slots alone.
		{"total_messages", sqlbuild.Totals, []string{"message_slots", "workspaces"}},
	} {
		plan, err := catalog.Resolve(models.Query{QueryType: models.KindTotals, Metric: c.metric, Timezone: "UTC", TimeRange: january})
		require.NoError(t, err)
		s, err := c.build(plan, "acme")
		require.NoError(t, err)
		var explained []byte
		require.NoError(t, pool.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+s.SQL, s.Args...).Scan(&explained))
		require.Equal(t, c.want, relationsIn(t, explained), s.SQL)
	}
}
