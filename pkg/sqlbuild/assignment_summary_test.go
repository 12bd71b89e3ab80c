package sqlbuild

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// A metric's required-present columns and is-null conditions become
// conditions on the assignment summaries' state columns, and the service
// level's target and outcome pass on as its parameters, in order.
func TestAssignmentMetricsMapOntoTheSummaryStates(t *testing.T) {
	sc := scope{workspace: WorkspaceSlug("acme"), boundaries: []time.Time{utc("2022-01-01T00:00:00Z"), utc("2022-01-08T00:00:00Z")}}
	// Without a group-by, and by team, the per-team levels answer the
	// counts, sums, maxima and, over these few buckets, the percentiles by
	// search in their arrays (migration 37); by agent, the per-agent levels
	// (migration 40), and the percentiles from their durations one by one;
	// by inbox, the finer ones.
	for _, c := range []struct {
		groupBy, alias, waits, talks, table string
	}{
		{"", "st", "st", "st", "assignment_team_days"},
		{catalog.DimTeam.ID, "st", "st", "st", "assignment_team_days"},
		{catalog.DimAgent.ID, "sg", "gw", "gc", "assignment_agent_days"},
		{catalog.DimInbox.ID, "sa", "aw", "ac", "assignment_days"},
	} {
		for id, want := range map[string]map[string]any{
			"cc_conversations":         {},
			"handled_conversations":    {c.alias + ".accepted": true},
			"missed_conversations":     {c.alias + ".accepted": false, c.alias + ".ended": true},
			"wait_time_max":            {c.alias + ".replied": true},
			"wait_time_p90":            {c.waits + ".replied": true},
			"conversation_time_median": {c.talks + ".accepted": true, c.talks + ".ended": true},
			"service_level":            {},
		} {
			metric, ok := catalog.Lookup(id)
			require.True(t, ok, id)
			r, ok := choose(catalog.Plan{GroupBy: c.groupBy}, metric, sc)
			require.True(t, ok, id)
			require.Equal(t, want, r.metric.Conditions, id)
			require.Empty(t, r.metric.Present, id)
			require.Equal(t, []string{c.table}, r.tables, "%s by %q", id, c.groupBy)
		}
	}
	plan := catalog.Plan{}
	level, _ := catalog.Lookup("service_level")
	r, ok := choose(plan, level, sc)
	require.True(t, ok)
	require.Equal(t, []any{catalog.ParamTargetSeconds, "missed"}, r.metric.AggregateArgs)

	// What the summaries do not keep goes to the raw rows.
	unique, _ := catalog.Lookup("unique_users_served")
	_, ok = choose(plan, unique, sc)
	require.False(t, ok, "a distinct count of contacts is not in the summaries")
	byReason, _ := catalog.Lookup("cc_conversations")
	_, ok = choose(catalog.Plan{GroupBy: catalog.DimClosing.ID}, byReason, sc)
	require.False(t, ok, "closing reason is not a summary dimension")
}
