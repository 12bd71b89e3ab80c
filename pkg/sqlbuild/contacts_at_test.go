package sqlbuild

import (
	"strings"
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// The contacts at an instant come from the summaries' running totals by
// platform or with no group, keeping or excluding platforms; per inbox from
// contact_first_inbound and the contacts' conversations; from the raw rows
// when asked for them.
func TestContactsAtReadTheSummariesOnlyWhereTheyAnswer(t *testing.T) {
	to := utc("2022-03-10T09:30:00.123Z")
	comment := func(q models.Query, raw bool) string {
		q.QueryType, q.TimeRange = models.KindSnapshot, backend.TimeRange{From: to.Add(-7 * 24 * time.Hour), To: to}
		plan, err := catalog.Resolve(q)
		require.NoError(t, err)
		build := Snapshot
		if raw {
			build = RawSnapshot
		}
		st, err := build(plan, WorkspaceSlug("acme"))
		require.NoError(t, err)
		head, _, _ := strings.Cut(st.SQL, " */")
		return head + " */"
	}
	platforms := []models.Filter{{Dimension: "platform", Values: []string{"webchat"}, Exclude: true}}
	inboxes := []models.Filter{{Dimension: "inbox", Values: []string{"WhatsApp"}}}
	for _, metric := range []string{"number_of_contacts", "idle_customers"} {
		also := ""
		if metric == "idle_customers" {
			also = ", contact_first_inbound"
		}
		// Whole days from the beginning, the hours and slots of 2022-03-10
		// to 09:30 (and the raw first inbound messages of 09:30 to
		// 09:30.123, which the comment does not name); the idle customers
		// also the first inbound messages of the open conversations' contacts.
		want := "/* summary: first_inbound_days, first_inbound_hours, first_inbound_slots" + also + " */"
		require.Equal(t, want, comment(models.Query{Metric: metric}, false), metric)
		require.Equal(t, want, comment(models.Query{Metric: metric, GroupBy: "platform", Filters: platforms}, false), metric)
		require.Equal(t, "/* raw */", comment(models.Query{Metric: metric}, true), metric)
		// Per inbox, the contacts of contact_first_inbound and their conversations.
		const fromFirst = "/* summary: contact_first_inbound */"
		require.Equal(t, fromFirst, comment(models.Query{Metric: metric, GroupBy: "inbox"}, false), metric)
		require.Equal(t, fromFirst, comment(models.Query{Metric: metric, GroupBy: "platform", Filters: inboxes}, false), metric)
		require.Equal(t, "/* raw */", comment(models.Query{Metric: metric, GroupBy: "inbox"}, true), metric)
	}
	// The sessions have no summary: they say so.
	require.Equal(t, "/* raw */", comment(models.Query{Metric: "active_sessions", GroupBy: "state"}, false))
}
