package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// lastDays are the time picker's presets of the Analytics page.
var lastDays = [][3]string{
	{"Last 7 days", "now-7d", "now"},
	{"Last 15 days", "now-15d", "now"},
	{"Last 30 days", "now-30d", "now"},
}

// analytics reproduces the Analytics page: channel info, messages,
// conversations, contacts, performance by agent and team, chat flows,
// payment and AI assist, all narrowed by inbox.
func analytics() *board {
	b := newBoard("chatbot-analytics", "Chatbot analytics",
		"Channel info, messages, sessions, contacts, agent and team performance, chat flows, payment and AI assist: the Analytics page.",
		"analytics").
		time("now-7d", "now").
		quickRanges(lastDays...)
	b.dimensionVariable("inbox", "Inbox", "inbox", true)
	totals := func(metric string) *QueryBuilder { return b.query(models.KindTotals, metric) }
	snapshot := func(metric string) *QueryBuilder { return b.query(models.KindSnapshot, metric) }

	b.startRow("Channel info")
	b.add(statPanel("Active sessions", "", 6, snapshot("active_sessions")))
	b.add(statPanel("Number of contacts", "", 6, snapshot("number_of_contacts")))
	b.add(statPanel("Messages sent", "Over the last 7 days, whatever the time picker says.", 6, totals("messages_sent")).TimeFrom("7d"))
	b.add(statPanel("Messages received", "Over the last 7 days, whatever the time picker says.", 6, totals("messages_received")).TimeFrom("7d"))

	b.startRow("Messages")
	b.add(rankingPanel("Messages by sender", "Agent, bot and broadcast messages over the range.", 12, chartHeight,
		totals("messages_sent").GroupBy("sender")))
	b.add(statPanel("Messages received", "Over the range.", 12, totals("messages_received")))

	b.startRow("Conversations")
	b.add(rankingPanel("Active sessions by state", "", 12, chartHeight, snapshot("active_sessions").GroupBy("state")))
	b.add(stackedBars(timeSeriesPanel("New incoming sessions", "", 12,
		b.query(models.KindTimeSeries, "conversations").Interval("day"))))

	b.startRow("Contacts")
	b.add(statPanel("New contacts", "Over the range.", 8, totals("new_users")))
	b.add(statPanel("Active customers", "", 8, snapshot("active_customers")))
	b.add(statPanel("Idle customers", "", 8, snapshot("idle_customers")))

	b.startRow("Performance")
	b.add(performanceTable(b, "Performance by agent", "agent", true))
	b.add(performanceTable(b, "Performance by team", "team", false))

	b.startRow("Chat flows")
	b.add(statPanel("Flows triggered", "Over the range.", 8, totals("flow_triggers")))
	b.add(rankingPanel("Popular flows", "", 16, chartHeight, b.query(models.KindRanking, "flow_triggers").GroupBy("flow")))

	b.startRow("Payment")
	b.add(rankingPanel("Credit usage by template category", "", 12, chartHeight, totals("credit_usage").GroupBy("template_category")))
	b.add(statPanel("Total credits used", "Over the range.", 6, totals("credit_usage")))
	b.add(statPanel("Balance", "The balance is the account's: the inbox filter does not apply to it.", 6, snapshot("balance")))
	b.add(stackedBars(timeSeriesPanel("Credit usage history", "Day by day.", 24,
		b.query(models.KindTimeSeries, "credit_usage").Interval("day"))))

	b.startRow("AI assist")
	b.add(rankingPanel("AI assist usage by tool", "", 12, chartHeight, totals("ai_assist_usage").GroupBy("tool")))
	b.add(statPanel("AI assist accuracy", "Over the range.", 12, totals("ai_assist_accuracy")))
	return b
}

// performanceTable is one row per agent or team: times assigned, messages
// sent, response time (agents only) and active sessions now, the queries
// joined on the agent's or team's name.
func performanceTable(b *board, title, dimension string, responseTime bool) panelBuilder {
	queries := []*QueryBuilder{
		b.query(models.KindTotals, "cc_conversations").GroupBy(dimension),
		b.query(models.KindTotals, "agent_messages").GroupBy(dimension),
	}
	names := []string{"Times assigned", "Messages sent"}
	if responseTime {
		queries = append(queries, b.query(models.KindTotals, "wait_time_avg").GroupBy(dimension))
		names = append(names, "Response time")
	}
	queries = append(queries, b.query(models.KindSnapshot, "active_sessions").GroupBy(dimension))
	names = append(names, "Active sessions")
	p := joinedTable(title, "", dimension, queries...)
	for i, q := range queries {
		p.OverrideByQuery(q.query.RefID, append(displayName(names[i]), dashboard.DynamicConfigValue{Id: "unit", Value: q.metric().Unit}))
	}
	return p
}
