package sqlbuild

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// A summary's present columns pick the metrics it answers: the intents'
// counts (inbound, intent present) read the intent levels (per intent only
// when they keep no platform or language), the inbound
// messages without that condition keep reading the message levels, the
// languages (language present) read their own per language, and the raw
// rows for several languages together.
func TestPresentColumnsPickTheSummary(t *testing.T) {
	for _, c := range []struct {
		metric, groupBy string
		filters         []models.Filter
		comment         string
	}{
		{"top_intents", "intent", nil, "/* summary: intent_total_days */ "},
		{"top_intents", "intent", []models.Filter{{Dimension: "language", Values: []string{"es"}}}, "/* summary: intent_days */ "},
		{"top_intents", "language", []models.Filter{{Dimension: "platform", Values: []string{"telegram"}, Exclude: true}}, "/* summary: intent_days */ "},
		{"messages_received", "platform", nil, "/* summary: message_days */ "},
		{"languages", "language", nil, "/* summary: language_contact_days */ "},
		{"languages", "platform", nil, "/* raw */ "},
	} {
		s, err := TimeSeries(plan(t, c.metric, c.groupBy, c.filters...), WorkspaceSlug("acme"))
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(s.SQL, c.comment), c.metric+": "+s.SQL)
		if c.metric == "top_intents" {
			// The summary's rows already meet the metric's conditions:
			// neither the direction nor the intent's presence is applied again.
			alias := "mi."
			if strings.Contains(c.comment, "intent_total") {
				alias = "mt."
			}
			require.NotContains(t, s.SQL, alias+"direction")
			require.NotContains(t, s.SQL, alias+"intent IS NOT NULL")
			require.Contains(t, s.SQL, "sum("+alias+"messages)")
		}
	}
}
