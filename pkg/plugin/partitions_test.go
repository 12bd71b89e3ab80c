package plugin

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"regexp"
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
// totals and as monthly series in Madrid, from the summaries (the levels of
// migration 5) or from the raw rows. The phrase metrics are left out: their
// normalisation is migration 9's function, which a store at version 3 lacks
// (TestSummariesEqualTheRawRows checks them, and their migration).
func metricAnswers(t *testing.T, pool *pgxpool.Pool, fromSummaries bool) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	for _, id := range summaryMetrics {
		if id == "popular_phrases" || id == "client_phrases" {
			continue
		}
		for _, kind := range []models.QueryKind{models.KindTotals, models.KindTimeSeries} {
			plan, err := catalog.Resolve(models.Query{QueryType: kind, Metric: id, Interval: "month", Timezone: "Europe/Madrid",
				TimeRange: partitionedRange, MaxDataPoints: 500, GrafanaStep: time.Hour})
			if err != nil {
				continue // a metric without this kind
			}
			if kind == models.KindTotals {
				build := sqlbuild.RawTotals
				if fromSummaries {
					build = sqlbuild.Totals
				}
				s, err := build(plan, sqlbuild.WorkspaceSlug("acme"))
				require.NoError(t, err, id)
				rows, err := collect[store.Totaled](ctx, pool, s)
				require.NoError(t, err, id)
				out = append(out, id+" totals: "+strings.Join(totaledText(rows), "; "))
				continue
			}
			build := sqlbuild.RawTimeSeries
			if fromSummaries {
				build = sqlbuild.TimeSeries
			}
			s, err := build(plan, sqlbuild.WorkspaceSlug("acme"))
			require.NoError(t, err, id)
			rows, err := collect[store.Bucketed](ctx, pool, s)
			require.NoError(t, err, id)
			out = append(out, id+" series: "+strings.Join(bucketedText(rows), "; "))
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

	// The summaries' queries read the levels of migration 5: before it, the
	// raw rows answer, and after both migrations the summaries answer the same.
	before, answers := stateOf(t, pool), metricAnswers(t, pool, false)
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
	require.Equal(t, answers, metricAnswers(t, pool, false))
	for _, m := range migrations {
		if m.Version > 4 {
			exec(t, url, m.SQL)
		}
	}
	pool.Reset()
	require.Equal(t, answers, metricAnswers(t, pool, true))

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

// scansIn calls visit with every node of a JSON plan that reads a relation,
// with the relation's name.
func scansIn(t *testing.T, plan []byte, visit func(name string, node map[string]any)) {
	t.Helper()
	var tree any
	require.NoError(t, json.Unmarshal(plan, &tree))
	var walk func(any)
	walk = func(node any) {
		switch n := node.(type) {
		case map[string]any:
			if name, ok := n["Relation Name"].(string); ok {
				visit(name, n)
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
}

// relationsIn lists the tables a JSON plan reads, sorted, once each.
func relationsIn(t *testing.T, plan []byte) []string {
	t.Helper()
	var names []string
	scansIn(t, plan, func(name string, _ map[string]any) { names = append(names, name) })
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
		build  func(catalog.Plan, sqlbuild.Workspace) (sqlbuild.Statement, error)
		want   []string
	}{
		// Every message of the range, raw.
		{"total_messages", sqlbuild.RawTotals, []string{"messages_2022_01", "workspaces"}},
		// The summaries answer a whole UTC month from its days alone.
		{"total_messages", sqlbuild.Totals, []string{"message_inbox_days", "workspaces"}},
	} {
		plan, err := catalog.Resolve(models.Query{QueryType: models.KindTotals, Metric: c.metric, Timezone: "UTC", TimeRange: january})
		require.NoError(t, err)
		s, err := c.build(plan, sqlbuild.WorkspaceSlug("acme"))
		require.NoError(t, err)
		var explained []byte
		require.NoError(t, pool.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+s.SQL, s.Args...).Scan(&explained))
		require.Equal(t, c.want, relationsIn(t, explained), s.SQL)
	}
}

// fenceBuilders are the statement builders of each query kind, as the data
// source dispatches them.
var fenceBuilders = map[models.QueryKind]func(catalog.Plan, sqlbuild.Workspace) (sqlbuild.Statement, error){
	models.KindTimeSeries: sqlbuild.TimeSeries, models.KindTotals: sqlbuild.Totals, models.KindRanking: sqlbuild.Totals,
	models.KindSnapshot: sqlbuild.Snapshot, models.KindRecords: sqlbuild.Records,
}

// tableReference is a table of the store named in a FROM or JOIN with its alias.
var tableReference = regexp.MustCompile(`(?i)\b(?:FROM|JOIN)\s+(?:LATERAL\s+)?([a-z_]+)\s+(?:AS\s+)?([a-z]+)\b`)

// correlated tells whether every alias sql gives table takes part in a
// workspace_id equality (a join or a correlated subquery's condition).
func correlated(sql, table string) bool {
	for _, m := range tableReference.FindAllStringSubmatch(sql, -1) {
		if m[1] != table {
			continue
		}
		alias := m[2]
		if !regexp.MustCompile(`\b` + alias + `\.workspace_id = |= ` + alias + `\.workspace_id\b`).MatchString(sql) {
			return false
		}
	}
	return true
}

// unfencedScans lists the tables of the store (other than workspaces) that a
// JSON plan scans without a workspace_id condition of their own.
func unfencedScans(t *testing.T, plan []byte) []string {
	t.Helper()
	var out []string
	scansIn(t, plan, func(name string, node map[string]any) {
		if name == "workspaces" {
			return
		}
		conds := ""
		for _, key := range []string{"Index Cond", "Recheck Cond", "Filter"} {
			if c, ok := node[key].(string); ok {
				conds += c
			}
		}
		if !strings.Contains(conds, "workspace_id = ") {
			out = append(out, name)
		}
	})
	return out
}

// Every statement the data source sends reads each table of the store for
// one workspace: it fences one table by the workspace's slug, and every other
// table it names takes part in a workspace_id equality (the fence, or a join
// or correlation on workspace_id). This is what lets a store distributed by
// workspace_id (docs/scaling.md) keep each statement within one shard group.
func TestEveryStatementReadsOneWorkspace(t *testing.T) {
	ctx := context.Background()
	url := fixtureURL(t, "chatbot_fixture")
	pool, err := pgxpool.New(ctx, url)
	require.NoError(t, err)
	defer pool.Close()
	tr := backend.TimeRange{From: time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2022, 2, 1, 0, 0, 0, 0, time.UTC)}

	// The statements carry the workspace's id as the data source binds it
	// once it has found the workspace: a parameter, which the planner plans
	// as a constant and carries along every workspace_id equality, into
	// joins and filtered subqueries (and which Citus routes by).
	acme := sqlbuild.Workspace{Slug: "acme"}
	require.NoError(t, pool.QueryRow(ctx, `SELECT id FROM workspaces WHERE slug = $1`, acme.Slug).Scan(&acme.ID))
	explain := func(name string, s sqlbuild.Statement) {
		t.Helper()
		require.NotContains(t, s.SQL, "workspaces w", name)
		sql := s.SQL
		var explained []byte
		require.NoError(t, pool.QueryRow(ctx, "EXPLAIN (FORMAT JSON) "+sql, s.Args...).Scan(&explained), name)
		// A scan without the constant is a subquery the planner keeps apart
		// (an EXISTS in the select list): its SQL must correlate it on workspace_id.
		for _, table := range unfencedScans(t, explained) {
			require.True(t, correlated(sql, table), "%s reads %s for every workspace\n%s", name, table, sql)
		}
	}
	checked := 0
	for _, metric := range catalog.Metrics {
		for _, kind := range metric.Kinds {
			groups := []string{""}
			if kind == models.KindRanking || kind == models.KindTimeSeries || kind == models.KindTotals {
				groups = append(groups, metric.GroupDimensions()...)
			}
			for _, group := range groups {
				if kind == models.KindRanking && group == "" {
					continue
				}
				q := models.Query{QueryType: kind, Metric: metric.ID, GroupBy: group, Interval: "day", Timezone: "UTC",
					TimeRange: tr, MaxDataPoints: 500, GrafanaStep: time.Hour, Limit: 10}
				if kind == models.KindRecords && metric.ID == "transcript" {
					q.ConversationID = 1
				}
				plan, err := catalog.Resolve(q)
				if err != nil {
					continue // a combination the catalog refuses
				}
				s, err := fenceBuilders[kind](plan, acme)
				if err != nil {
					continue
				}
				explain(fmt.Sprintf("%s %s by %q", metric.ID, kind, group), s)
				checked++
			}
		}
	}
	for _, dim := range catalog.Dimensions {
		s, ok, err := sqlbuild.DimensionValues(dim.ID, acme, tr.From, tr.To)
		if err == nil && ok { // a dimension that only filters has no values to list
			explain("values of "+dim.ID, s)
			checked++
		}
	}
	require.Greater(t, checked, 100)
}
