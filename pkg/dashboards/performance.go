package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// agentLink opens this dashboard narrowed to the clicked agent, keeping the
// time range and the data source.
const agentLink = "/d/chatbot-performance?var-agent=${__data.fields.agent}&${__url_time_range}&var-datasource=${datasource}"

// performance reproduces the automated performance report: activity, the
// chatbot and the contact center, with each agent's effort.
func performance() *board {
	b := newBoard("chatbot-performance", "Chatbot performance report",
		"Activity, chatbot and contact center, with each agent's conversations, minutes and connection hours: the automated performance report.",
		"performance").
		time("now-30d", "now")
	b.dimensionVariable("agent", "Agent", "agent", false)
	// The same spike the alert rule "Missed conversations spike" pages for:
	// at least 5 missed in 15 minutes (the event's default threshold).
	b.annotation("Missed-conversation bursts", "orange", NewAnnotationQuery(catalog.EventMissedBursts))
	totals := func(metric string) *QueryBuilder { return b.query(models.KindTotals, metric) }
	daily := func(metric string) *QueryBuilder { return b.query(models.KindTimeSeries, metric).Interval("day") }

	b.startRow("Activity")
	b.add(statPanel("New users", "", 5, totals("new_users")))
	b.add(statPanel("Active users", "", 5, totals("active_users")))
	b.add(statPanel("Total messages", "", 5, totals("total_messages")))
	b.add(statPanel("Peak volume (messages per minute)", "", 4, totals("peak_messages_per_minute")))
	b.add(statPanel("Peak time", "", 5, totals("peak_minute")))
	b.add(stackedBars(timeSeriesPanel("Incoming messages", "Per day.", 12, daily("messages_received"))))
	b.add(stackedBars(timeSeriesPanel("Conversations", "Per day.", 12, daily("conversations"))))
	b.add(timeSeriesPanel("Average messages per conversation", "Per day.", 12, daily("messages_per_conversation")))
	b.add(timeSeriesPanel("Max messages per minute", "The peak of each day.", 12, daily("peak_messages_per_minute")))

	b.startRow("Chatbot")
	ranking := func(metric, dimension string) *QueryBuilder {
		return b.query(models.KindRanking, metric).GroupBy(dimension)
	}
	b.add(rankingPanel("Most frequent intents", "", 8, chartHeight, ranking("top_intents", "intent")))
	b.add(rankingPanel("Languages", "", 8, chartHeight, ranking("languages", "language")))
	b.add(rankingPanel("Conversation start flows", "", 8, chartHeight, ranking("start_flows", "flow")))

	b.startRow("Contact center")
	b.add(statPanel("Total conversations", "", 6, totals("cc_conversations")))
	b.add(statPanel("Missed conversations", "", 6, totals("missed_conversations")))
	b.add(statPanel("Contact-center messages", "", 6, totals("cc_messages")))
	b.add(statPanel("Unique users served", "", 6, totals("unique_users_served")))
	handled := daily("handled_conversations")
	missed := daily("missed_conversations")
	b.add(timeSeriesPanel("Handled vs. missed", "Per day.", 12, handled, missed).
		OverrideByQuery("A", fixedColorOverride("green")).
		OverrideByQuery("B", fixedColorOverride("orange")))
	b.add(rankingPanel("Closing reasons", "", 12, chartHeight, ranking("closing_reasons", "closing_reason")))
	b.add(statPanel("Conversation time", "", 12, totals("conversation_time_avg"), totals("conversation_time_median"), totals("conversation_time_p90")).
		TextMode(common.BigValueTextModeValueAndName).
		OverrideByQuery("A", displayName("Average")).OverrideByQuery("B", displayName("Median")).OverrideByQuery("C", displayName("90th percentile")))
	b.add(statPanel("Wait time", "", 12, totals("wait_time_avg"), totals("wait_time_median"), totals("wait_time_p90")).
		TextMode(common.BigValueTextModeValueAndName).
		OverrideByQuery("A", displayName("Average")).OverrideByQuery("B", displayName("Median")).OverrideByQuery("C", displayName("90th percentile")))

	b.startRow("Agents")
	for _, m := range []struct{ metric, title, evolution string }{
		{"handled_conversations", "Conversations per agent", "Evolution of the number of conversations"},
		{"conversation_minutes", "Total conversation minutes", "Conversation minutes evolution"},
		{"connection_hours", "Total connection hours", "Connection hours evolution"},
	} {
		byAgent := ranking(m.metric, "agent").Filter("agent", "$agent").Limit(20)
		b.add(rankingPanel(m.title, "Choose an agent to see their activity alone.", 12, chartHeight, byAgent).
			WithOverride(dashboard.MatcherConfig{Id: "byFrameRefID", Options: "A"}, link("Show ${__data.fields.agent} alone", agentLink)))
		evolution := daily(m.metric).GroupBy("agent").Filter("agent", "$agent")
		b.add(smoothLines(timeSeriesPanel(m.evolution, "Per day and agent.", 12, evolution)).
			DisplayName("${__field.labels.agent}"))
	}
	return b
}

// fixedColorOverride paints the matched fields in one color.
func fixedColorOverride(color string) []dashboard.DynamicConfigValue {
	return []dashboard.DynamicConfigValue{{Id: "color", Value: map[string]any{"mode": "fixed", "fixedColor": color}}}
}
