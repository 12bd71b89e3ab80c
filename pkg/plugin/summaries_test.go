package plugin

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store/storetest"
)

// summaryMetrics are the metrics a summary can answer, and some that fall
// back (a ratio of a summary and a raw metric, a filter on a kept column).
var summaryMetrics = []string{
	"messages_received", "messages_sent", "total_messages", "ai_expense", "paid_messages", "billing_cost", "agent_messages",
	"active_users", "returning_users", "new_users", "total_users", "peak_messages_per_minute", "peak_minute", "expense_per_dialogue",
}

// summaryZones cover every kind of offset: whole hours, half and quarter
// hours, negative half hours, and daylight saving time.
var summaryZones = []string{"UTC", "America/Sao_Paulo", "Asia/Kolkata", "Asia/Kathmandu", "Australia/Eucla", "America/St_Johns", "Europe/Berlin"}

// The summaries answer exactly what the raw rows answer: for random metrics,
// kinds, ranges (on slot edges and not), intervals, zones, groups and
// filters (keeping or excluding values), over generated data, and again after rows arrive late into old
// slots, are changed and are deleted.
func TestSummariesEqualTheRawRows(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, storetest.URL(t))
	require.NoError(t, err)
	t.Cleanup(pool.Close)
	_, err = generator.Load(ctx, pool, generator.Config{Seed: 3, Days: 90, Contacts: 400})
	require.NoError(t, err)
	values := summaryFilterValues(t, pool)
	rng := rand.New(rand.NewPCG(7, 11))

	used, excluding := compareRandomQueries(t, pool, rng, values, 300)
	require.Greater(t, used, 150, "most random queries are answered from a summary")
	require.Greater(t, excluding, 10, "some of them exclude values")

	// Late rows into old slots (a new contact among them, whose first
	// message is old), a message moved in time and one turned billable,
	// and deleted messages.
	_, err = pool.Exec(ctx, `
		INSERT INTO contacts (workspace_id, platform, chat_id) SELECT w.id, 'telegram', 'late-arrival' FROM workspaces w WHERE w.slug = 'demo';
		INSERT INTO conversations (workspace_id, contact_id, inbox_id, started_at)
		SELECT c.workspace_id, c.id, (SELECT min(id) FROM inboxes i WHERE i.workspace_id = c.workspace_id), '2022-01-10 09:00Z'
		FROM contacts c WHERE c.chat_id = 'late-arrival';
		INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, ai_cost, billable, billing_cost)
		SELECT v.workspace_id, v.id, v.contact_id, 'inbound', 'contact', '2022-01-10 09:07:13.5Z'::timestamptz + g * interval '11 minutes', 0.0125, g % 2 = 0, 0.05
		FROM conversations v JOIN contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id, generate_series(0, 30) g
		WHERE c.chat_id = 'late-arrival';
		INSERT INTO messages (workspace_id, conversation_id, contact_id, direction, sender, created_at, ai_cost)
		SELECT m.workspace_id, m.conversation_id, m.contact_id, m.direction, m.sender, m.created_at - interval '3 days 7 minutes', 0.5
		FROM messages m WHERE m.agent_id IS NULL AND m.id % 97 = 0;
		UPDATE messages SET created_at = created_at - interval '2 days 1 hour 3 minutes' WHERE id % 89 = 0;
		UPDATE messages SET billable = true, billing_cost = 0.07 WHERE id % 83 = 0;
		DELETE FROM messages m WHERE m.id % 79 = 0 AND NOT EXISTS (SELECT 1 FROM template_sends ts WHERE ts.workspace_id = m.workspace_id AND ts.message_id = m.id);`)
	require.NoError(t, err)
	requireSummariesRecomputed(t, pool)
	compareRandomQueries(t, pool, rng, values, 150)
}

// requireSummariesRecomputed checks each summary table row by row against
// the same summary computed afresh from the messages.
func requireSummariesRecomputed(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	fresh := map[string]string{
		"message_slots": `SELECT m.workspace_id, date_bin('15 minutes', m.created_at, '2000-01-01Z'), c.platform, v.inbox_id, m.direction, m.sender, m.billable,
			count(*), sum(m.ai_cost), sum(m.billing_cost) FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
			JOIN conversations v ON v.workspace_id = m.workspace_id AND v.id = m.conversation_id GROUP BY 1, 2, 3, 4, 5, 6, 7`,
		"contact_slots": `SELECT m.workspace_id, date_bin('15 minutes', m.created_at, '2000-01-01Z'), m.contact_id, v.inbox_id, c.platform, count(*)
			FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id
			JOIN conversations v ON v.workspace_id = m.workspace_id AND v.id = m.conversation_id WHERE m.direction = 'inbound' GROUP BY 1, 2, 3, 4, 5`,
		"message_minutes":       `SELECT m.workspace_id, date_bin('1 minute', m.created_at, '2000-01-01Z'), count(*) FROM messages m GROUP BY 1, 2`,
		"contact_first_inbound": `SELECT m.workspace_id, m.contact_id, c.platform, min(m.created_at) FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id WHERE m.direction = 'inbound' GROUP BY 1, 2, 3`,
	}
	for table, q := range fresh {
		var differ int
		require.NoError(t, pool.QueryRow(context.Background(), fmt.Sprintf(
			"SELECT count(*) FROM ((TABLE %[1]s EXCEPT ALL (%[2]s)) UNION ALL ((%[2]s) EXCEPT ALL TABLE %[1]s)) x", table, q)).Scan(&differ))
		require.Zero(t, differ, table)
	}
}

// summaryFilterValues are the values of each dimension the summaries keep, for filters.
func summaryFilterValues(t *testing.T, pool *pgxpool.Pool) map[string][]string {
	t.Helper()
	values := map[string][]string{"sender": catalog.FixedValues["sender"]}
	for dim, q := range map[string]string{
		"platform": "SELECT DISTINCT platform FROM contacts ORDER BY 1",
		"inbox":    "SELECT DISTINCT name FROM inboxes ORDER BY 1",
	} {
		rows, err := pool.Query(context.Background(), q)
		require.NoError(t, err)
		for rows.Next() {
			var v string
			require.NoError(t, rows.Scan(&v))
			values[dim] = append(values[dim], v)
		}
		require.NoError(t, rows.Err())
	}
	return values
}

// compareRandomQueries runs n random queries both ways and requires equal
// answers; it returns how many were answered from a summary, and how many of
// those excluded values.
func compareRandomQueries(t *testing.T, pool *pgxpool.Pool, rng *rand.Rand, values map[string][]string, n int) (used, excluding int) {
	t.Helper()
	ctx := context.Background()
	intervals := []string{"hour", "day", "week", "month", "auto", "15m", "1m"}
	dataStart := time.Date(2021, 12, 20, 0, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		metric, _ := catalog.Lookup(summaryMetrics[rng.IntN(len(summaryMetrics))])
		kind := metric.Kinds[rng.IntN(len(metric.Kinds))]
		q := models.Query{QueryType: kind, Metric: metric.ID, Timezone: summaryZones[rng.IntN(len(summaryZones))],
			Interval: intervals[rng.IntN(len(intervals))], MaxDataPoints: 500, GrafanaStep: time.Minute}
		dims := metric.GroupDimensions()
		if len(dims) > 0 && (kind == models.KindRanking || rng.IntN(2) == 0) {
			q.GroupBy = dims[rng.IntN(len(dims))]
		}
		if len(dims) > 0 && rng.IntN(3) == 0 {
			dim := dims[rng.IntN(len(dims))]
			if vs := values[dim]; len(vs) > 0 {
				// Half of them exclude, as an ad hoc filter's != and !=| do.
				q.Filters = []models.Filter{{Dimension: dim, Values: []string{vs[rng.IntN(len(vs))], vs[rng.IntN(len(vs))]}, Exclude: rng.IntN(2) == 0}}
			}
		}
		// Ranges from minutes to 100 days, on the minute, on a slot edge,
		// on the hour, or anywhere to the millisecond.
		from := dataStart.Add(time.Duration(rng.Int64N(int64(110 * 24 * time.Hour))))
		span := time.Duration(rng.Int64N(int64([]time.Duration{3 * time.Hour, 4 * 24 * time.Hour, 100 * 24 * time.Hour}[rng.IntN(3)])))
		to := from.Add(span + time.Minute)
		switch rng.IntN(4) {
		case 0:
			from, to = from.Truncate(time.Minute), to.Truncate(time.Minute)
		case 1:
			from, to = from.Truncate(catalog.SlotLength), to.Truncate(catalog.SlotLength)
		case 2:
			from, to = from.Truncate(time.Hour), to.Truncate(time.Hour)
		default:
			from, to = from.Truncate(time.Millisecond), to.Truncate(time.Millisecond)
		}
		if !to.After(from) {
			to = from.Add(time.Hour)
		}
		q.TimeRange = backend.TimeRange{From: from, To: to}
		plan, err := catalog.Resolve(q)
		if err != nil {
			i-- // too many buckets: draw again
			continue
		}
		name := fmt.Sprintf("%d %s %s by %q %v %s %s %s..%s", i, kind, metric.ID, q.GroupBy, q.Filters, q.Interval, q.Timezone,
			from.Format(time.RFC3339Nano), to.Format(time.RFC3339Nano))

		var summary, raw sqlbuild.Statement
		if kind == models.KindTimeSeries {
			summary, err = sqlbuild.TimeSeries(plan, "demo")
			require.NoError(t, err, name)
			raw, err = sqlbuild.RawTimeSeries(plan, "demo")
			require.NoError(t, err, name)
			want, err := collect[store.Bucketed](ctx, pool, raw)
			require.NoError(t, err, name)
			got, err := collect[store.Bucketed](ctx, pool, summary)
			require.NoError(t, err, name+"\n"+summary.SQL)
			require.Equal(t, bucketedText(want), bucketedText(got), name+"\n"+summary.SQL)
		} else {
			summary, err = sqlbuild.Totals(plan, "demo")
			require.NoError(t, err, name)
			raw, err = sqlbuild.RawTotals(plan, "demo")
			require.NoError(t, err, name)
			want, err := collect[store.Totaled](ctx, pool, raw)
			require.NoError(t, err, name)
			got, err := collect[store.Totaled](ctx, pool, summary)
			require.NoError(t, err, name+"\n"+summary.SQL)
			require.Equal(t, totaledText(want), totaledText(got), name+"\n"+summary.SQL)
		}
		require.True(t, strings.HasPrefix(raw.SQL, "/* raw */ "), raw.SQL)
		if strings.HasPrefix(summary.SQL, "/* summary: ") {
			used++
			if len(plan.Filters) > 0 && plan.Filters[0].Exclude {
				excluding++
			}
		}
	}
	return used, excluding
}

// collect reads every row of a statement, as the plugin reads them.
func collect[T any](ctx context.Context, pool *pgxpool.Pool, s sqlbuild.Statement) ([]T, error) {
	rows := []T{}
	err := store.Each(ctx, pool, s.SQL, s.Args, pgx.RowToStructByPos[T], func(row T) bool {
		rows = append(rows, row)
		return true
	})
	return rows, err
}

// bucketedText and totaledText print rows exactly (%v of a float64 is its
// shortest exact form), nulls as null.
func bucketedText(rows []store.Bucketed) []string {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		out = append(out, fmt.Sprintf("%d %q %s", r.Bucket, r.Series, floatText(r.Value)))
	}
	return out
}

func totaledText(rows []store.Totaled) []string {
	out := make([]string, 0, len(rows))
	for _, r := range rows {
		id := "null"
		if r.SeriesID != nil {
			id = fmt.Sprint(*r.SeriesID)
		}
		out = append(out, fmt.Sprintf("%q %s %s", r.Series, id, floatText(r.Value)))
	}
	slices.Sort(out) // the order within equal sort keys is not part of the answer
	return out
}

func floatText(v *float64) string {
	if v == nil {
		return "null"
	}
	return fmt.Sprint(*v)
}
