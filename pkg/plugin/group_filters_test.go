package plugin

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/generator"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
)

// A filter on the dimension a query groups by keeps whole groups: grouped
// by agent and filtered to two agents' names, the answer is the unfiltered
// answer's rows of those two agents, and with the filter excluding them,
// every other row (the one without an agent too). The builder applies such
// a filter to the groups once they are named rather than to every row read,
// so this is checked for every metric and named dimension (inbox, flow,
// task, agent, team), totals and time series, from the summaries and from
// the raw rows, in a zone off the whole hour.
func TestFiltersOnTheGroupedDimensionKeepWholeGroups(t *testing.T) {
	ctx := context.Background()
	_, pool := generatedStore(t, generator.Config{Seed: 9, Days: 30, Contacts: 300})
	values := summaryFilterValues(t, pool)
	from := time.Date(2022, 1, 3, 7, 20, 0, 0, time.UTC)
	to := time.Date(2022, 1, 27, 16, 5, 0, 0, time.UTC)

	cases, kept, dropped := 0, 0, 0
	for _, metric := range catalog.Metrics {
		for _, dim := range []string{catalog.DimInbox.ID, catalog.DimFlow.ID, catalog.DimTask.ID, catalog.DimAgent.ID, catalog.DimTeam.ID} {
			if !slices.Contains(metric.GroupDimensions(), dim) || len(values[dim]) < 3 {
				continue
			}
			// The first and the last name: two of three or more.
			names := []string{values[dim][0], values[dim][len(values[dim])-1]}
			for _, kind := range []models.QueryKind{models.KindTotals, models.KindTimeSeries} {
				if !metric.Supports(kind) {
					continue
				}
				for _, raw := range []bool{false, true} {
					name := fmt.Sprintf("%s %s by %s, raw %v", kind, metric.ID, dim, raw)
					q := models.Query{QueryType: kind, Metric: metric.ID, GroupBy: dim, Timezone: "Asia/Kathmandu",
						Interval: "day", MaxDataPoints: 500, GrafanaStep: time.Minute, TargetSeconds: 60,
						TimeRange: backend.TimeRange{From: from, To: to}}
					all := groupRows(t, ctx, pool, q, kind, raw)
					for _, exclude := range []bool{false, true} {
						q.Filters = []models.Filter{{Dimension: dim, Values: names, Exclude: exclude}}
						var want []string
						for _, row := range all {
							if slices.Contains(names, row.series) != exclude {
								want = append(want, row.text)
							}
						}
						var got []string
						for _, row := range groupRows(t, ctx, pool, q, kind, raw) {
							got = append(got, row.text)
						}
						require.Equal(t, want, got, "%s, %v", name, q.Filters)
						cases++
						if !exclude {
							kept += len(want)
							dropped += len(all) - len(want)
						}
					}
				}
			}
		}
	}
	// Enough cases, and filters that kept some rows and dropped others.
	require.Greater(t, cases, 100)
	require.Greater(t, kept, 500)
	require.Greater(t, dropped, 500)
}

// groupRow is one row of an answer: its series and the whole row as text.
type groupRow struct{ series, text string }

// groupRows is q's answer, from the summaries or from the raw rows, in the
// statement's order (a totals' rows sorted).
func groupRows(t *testing.T, ctx context.Context, pool *pgxpool.Pool, q models.Query, kind models.QueryKind, raw bool) []groupRow {
	t.Helper()
	plan, err := catalog.Resolve(q)
	require.NoError(t, err)
	st, err := statementBuilder(kind, raw)(plan, demoWorkspace(t, pool))
	require.NoError(t, err)
	var rows []groupRow
	if kind == models.KindTimeSeries {
		got, err := collect[store.Bucketed](ctx, pool, st)
		require.NoError(t, err, st.SQL)
		for i, text := range bucketedText(got) {
			rows = append(rows, groupRow{got[i].Series, text})
		}
		return rows
	}
	got, err := collect[store.Totaled](ctx, pool, st)
	require.NoError(t, err, st.SQL)
	slices.SortFunc(got, func(a, b store.Totaled) int {
		return slices.Compare(totaledText([]store.Totaled{a}), totaledText([]store.Totaled{b}))
	})
	for i, text := range totaledText(got) {
		rows = append(rows, groupRow{got[i].Series, text})
	}
	return rows
}

// statementBuilder is the builder of a time series or totals statement,
// from the summaries or, with raw, from the raw rows only.
func statementBuilder(kind models.QueryKind, raw bool) func(catalog.Plan, sqlbuild.Workspace) (sqlbuild.Statement, error) {
	switch {
	case kind == models.KindTimeSeries && raw:
		return sqlbuild.RawTimeSeries
	case kind == models.KindTimeSeries:
		return sqlbuild.TimeSeries
	case raw:
		return sqlbuild.RawTotals
	}
	return sqlbuild.Totals
}
