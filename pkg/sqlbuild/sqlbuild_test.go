package sqlbuild

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/timebucket"
)

func plan(t *testing.T, metric, groupBy string, filters ...models.Filter) catalog.Plan {
	t.Helper()
	m, ok := catalog.Lookup(metric)
	require.True(t, ok)
	from := time.Date(2022, 1, 1, 0, 0, 0, 0, time.UTC)
	boundaries, err := timebucket.Boundaries(from, from.AddDate(0, 2, 0), timebucket.Interval{Unit: timebucket.Month, Count: 1}, time.UTC)
	require.NoError(t, err)
	return catalog.Plan{Metric: m, Kind: models.KindTimeSeries, GroupBy: groupBy, Filters: filters, Boundaries: boundaries}
}

// Whatever the query carries, its values travel as bind parameters: the SQL
// text is the same for hostile and harmless values.
func TestValuesAreBindParameters(t *testing.T) {
	hostile := "x'); DROP TABLE messages; --"
	a, err := TimeSeries(plan(t, "messages_sent", "platform", models.Filter{Dimension: "sender", Values: []string{hostile, "bot"}}), WorkspaceSlug("acme"))
	require.NoError(t, err)
	b, err := TimeSeries(plan(t, "messages_sent", "platform", models.Filter{Dimension: "sender", Values: []string{"agent", "bot"}}), WorkspaceSlug("o'hara"))
	require.NoError(t, err)
	require.Equal(t, a.SQL, b.SQL)
	require.NotContains(t, a.SQL, "DROP")
	require.NotContains(t, a.SQL, "acme")
	require.Contains(t, a.Args, []string{hostile, "bot"})
	require.Contains(t, a.Args, "acme")
	raw, err := RawTimeSeries(plan(t, "messages_sent", "platform", models.Filter{Dimension: "sender", Values: []string{hostile, "bot"}}), WorkspaceSlug("acme"))
	require.NoError(t, err)
	require.True(t, strings.HasPrefix(a.SQL, "/* summary: message_days */ SELECT "), a.SQL)
	require.Equal(t, "/* raw */ SELECT width_bucket(m.created_at, $1::timestamptz[]) AS bucket, coalesce((c.platform)::text, '') AS series, "+
		"(count(*))::float8 AS value FROM messages m JOIN contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id "+
		"WHERE (m.workspace_id = (SELECT w.id FROM workspaces w WHERE w.slug = $2) AND m.created_at < $3 AND m.created_at >= $4 "+
		"AND m.direction = $5 AND (m.sender)::text = ANY($6::text[])) GROUP BY bucket, series ORDER BY bucket, series", raw.SQL)
}

// A workspace whose id the data source knows is fenced by that id, as a bind
// parameter: the same SQL text for any id, no lookup of the slug, and the
// id among the arguments once per table read.
func TestWorkspaceIDIsABindParameter(t *testing.T) {
	p := plan(t, "conversations", "task")
	a, err := Totals(p, Workspace{Slug: "acme", ID: 7})
	require.NoError(t, err)
	b, err := Totals(p, Workspace{Slug: "other", ID: 12})
	require.NoError(t, err)
	require.Equal(t, a.SQL, b.SQL)
	require.NotContains(t, a.SQL, "workspaces w")
	require.Contains(t, a.SQL, "s.workspace_id = $")
	require.NotContains(t, a.Args, "acme")
	require.Contains(t, a.Args, int32(7))
	ids := 0
	for _, arg := range a.Args {
		if arg == any(int32(7)) {
			ids++
		}
	}
	require.Equal(t, strings.Count(a.SQL, "::integer"), ids)
	bySlug, err := Totals(p, WorkspaceSlug("acme"))
	require.NoError(t, err)
	require.Equal(t, strings.Count(bySlug.SQL, "(SELECT w.id FROM workspaces w WHERE w.slug = $"), strings.Count(a.SQL, "workspace_id = $"),
		"one fence per table read either way")
	require.Positive(t, strings.Count(a.SQL, "workspace_id = $"))
}

// Cumulative metrics read from the beginning of the store: no lower time
// bound on the raw rows, and a summary's rows from its first unit on, where
// the others read from the range's start. Both end at the range's end.
func TestCumulativeMetricsHaveNoLowerBound(t *testing.T) {
	total := plan(t, "total_users", "")
	raw, err := RawTimeSeries(total, WorkspaceSlug("acme"))
	require.NoError(t, err)
	require.NotContains(t, raw.SQL, "f.first_at >=")
	require.Contains(t, raw.SQL, "f.first_at < $")
	summary, err := TimeSeries(total, WorkspaceSlug("acme"))
	require.NoError(t, err)
	require.Equal(t, beginning, dayBound(t, summary, ">="))
	require.Equal(t, total.Boundaries[len(total.Boundaries)-1], dayBound(t, summary, "<"))

	newUsers := plan(t, "new_users", "")
	raw, err = RawTimeSeries(newUsers, WorkspaceSlug("acme"))
	require.NoError(t, err)
	require.Contains(t, raw.SQL, "f.first_at >= $")
	summary, err = TimeSeries(newUsers, WorkspaceSlug("acme"))
	require.NoError(t, err)
	require.Equal(t, newUsers.Boundaries[0], dayBound(t, summary, ">="))
	require.Equal(t, newUsers.Boundaries[len(newUsers.Boundaries)-1], dayBound(t, summary, "<"))
}

// dayBound is the value of st's one bound "s.day op $n" on a summary's days.
func dayBound(t *testing.T, st Statement, op string) time.Time {
	t.Helper()
	m := regexp.MustCompile(`s\.day `+regexp.QuoteMeta(op)+` \$(\d+)`).FindAllStringSubmatch(st.SQL, -1)
	require.Len(t, m, 1, st.SQL)
	n, err := strconv.Atoi(m[0][1])
	require.NoError(t, err)
	bound, ok := st.Args[n-1].(time.Time)
	require.True(t, ok, "%T", st.Args[n-1])
	return bound
}

// Every metric of the catalog builds, grouped and filtered by each of its
// dimensions: the catalog and the SQL sources cannot drift apart.
func TestEveryCatalogMetricBuildsForEveryDimension(t *testing.T) {
	for _, m := range catalog.Metrics {
		builder := TimeSeries
		switch {
		case m.Supports(models.KindSnapshot) && !m.Supports(models.KindTimeSeries):
			builder = Snapshot
			_, err := TimeSeries(plan(t, m.ID, ""), WorkspaceSlug("acme"))
			require.EqualError(t, err, "metric "+m.ID+" is a state at one instant: query it as a snapshot")
		case m.Supports(models.KindRecords):
			builder = Records
		}
		s, err := builder(plan(t, m.ID, ""), WorkspaceSlug("acme"))
		require.NoError(t, err, m.ID)
		requireNumberedOnce(t, s, m.ID)
		for _, dimension := range m.Dimensions {
			s, err := builder(plan(t, m.ID, dimension, models.Filter{Dimension: dimension, Values: []string{"v"}}), WorkspaceSlug("acme"))
			require.NoError(t, err, "%s by %s", m.ID, dimension)
			requireNumberedOnce(t, s, m.ID+" by "+dimension)
			selects := 1
			if m.Quotient != nil || m.ID == catalog.MetricSources {
				selects = 2
			}
			if m.ID == "dialogs" {
				selects = 2 // the page's filter, then the page's rows' columns
			}
			require.LessOrEqual(t, strings.Count(s.SQL, " JOIN contacts c ")+strings.Count(s.SQL, "FROM contacts c"), selects,
				"%s by %s joins contacts at most once per aggregate", m.ID, dimension)
		}
	}
}

// Every dimension can list its values for template variables.
func TestEveryDimensionListsItsValues(t *testing.T) {
	for _, d := range catalog.Dimensions {
		_, queried, err := DimensionValues(d.ID, WorkspaceSlug("acme"), time.Time{}, time.Time{})
		if d.FilterOnly {
			// A text search has no vocabulary; the resource answers an empty list.
			require.EqualError(t, err, `dimension "`+d.ID+`" only filters: it has no values to list`)
			continue
		}
		require.NoError(t, err, d.ID)
		_, fixed := catalog.FixedValues[d.ID]
		require.True(t, queried != fixed, "%s: exactly one of a query or a fixed list", d.ID)
	}
}

// Exactly the identified dimensions carry ids, in every source that has them.
func TestIdentifiedDimensionsCarryTheirIDs(t *testing.T) {
	all := []map[catalog.Source]source{sources, snapshotSources}
	for _, set := range all {
		for name, src := range set {
			for id, col := range src.dimensions {
				dimension, ok := catalog.LookupDimension(id)
				require.True(t, ok, "%s: %s", name, id)
				if col.expr == "" {
					// A column that only filters has no groups, so no ids.
					require.NotNil(t, col.match, "source %s, dimension %s: no group and no filter", name, id)
					continue
				}
				require.False(t, dimension.FilterOnly, "source %s groups by filter-only %s", name, id)
				require.Equal(t, dimension.Identified, col.id != "", "source %s, dimension %s", name, id)
			}
		}
	}
}

// requireNumberedOnce checks that a statement's placeholders run $1..$n, each
// once, for its n arguments: nested subqueries must not number their own.
func requireNumberedOnce(t *testing.T, s Statement, what string) {
	t.Helper()
	for i := 1; i <= len(s.Args); i++ {
		require.Equal(t, 1, len(regexp.MustCompile(`\$`+strconv.Itoa(i)+`\b`).FindAllString(s.SQL, -1)), "%s: $%d", what, i)
	}
	require.NotRegexp(t, `\$`+strconv.Itoa(len(s.Args)+1)+`\b`, s.SQL, what)
}

// A column's joins are listed in the order they are added (by name), so
// that a join that builds on another (a message's inbox on its
// conversation) always follows it.
func TestJoinsBuildOnEarlierOnes(t *testing.T) {
	for _, set := range []map[catalog.Source]source{sources, snapshotSources} {
		for name, src := range set {
			for id, col := range src.dimensions {
				for i := 1; i < len(col.joins); i++ {
					require.Less(t, col.joins[i-1].name, col.joins[i].name, "source %s, dimension %s", name, id)
				}
			}
		}
	}
}

// The message text search escapes LIKE's wildcards and escape character,
// so a value matches itself only, and it travels as a bind parameter.
func TestMessageTextIsEscapedAndBound(t *testing.T) {
	require.Equal(t, `%50\%%`, ContainsPattern(`50%`))
	require.Equal(t, `%order\_42%`, ContainsPattern(`order_42`))
	require.Equal(t, `%C:\\temp%`, ContainsPattern(`C:\temp`))
	require.Equal(t, `%it's%`, ContainsPattern(`it's`))

	dialogs := func(values ...string) Statement {
		p := plan(t, "dialogs", "", models.Filter{Dimension: catalog.DimMessageText.ID, Values: values})
		p.Kind, p.From, p.To, p.Limit = models.KindRecords, p.Boundaries[0], p.Boundaries[len(p.Boundaries)-1], 10
		s, err := Records(p, WorkspaceSlug("acme"))
		require.NoError(t, err)
		requireNumberedOnce(t, s, "dialogs")
		return s
	}
	hostile := dialogs(`x'); DROP TABLE messages; --`, "%")
	harmless := dialogs("a", "b")
	require.Equal(t, harmless.SQL, hostile.SQL)
	require.NotContains(t, hostile.SQL, "DROP")
	require.Contains(t, hostile.Args, []string{`%x'); DROP TABLE messages; --%`, `%\%%`})
	require.Contains(t, hostile.SQL, "ILIKE ANY(")
}
