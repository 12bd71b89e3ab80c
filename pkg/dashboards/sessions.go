package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// customAllValue is the status variable's value for All. An empty allValue
// is no custom value at all: Grafana then sends every option
// (MultiValueVariable.getValue in grafana/scenes,
// packages/scenes/src/variables/variants/MultiValueVariable.ts), while a
// custom one is passed through unformatted (CustomAllValue.formatter there).
// The frontend reads `""` as one empty value and drops the filter it leaves
// empty (expandValue and interpolateFilters in src/datasource.ts), so All
// means no status filter at all.
const customAllValue = `""`

// sessions reproduces the chat sessions reports, and opens a session's
// transcript on the same dashboard.
func sessions() *board {
	b := newBoard("chatbot-sessions", "Chatbot chat sessions",
		"The chat sessions reports: sessions, sessions with markers, billing per channel, operator metrics, productivity, sources, web pages and phrases, with each session's transcript.",
		"sessions").
		time("now-30d", "now")
	b.filters = append(b.filters,
		filterVariable{name: "status", dimension: "status", everywhere: true},
		filterVariable{name: "search", dimension: "message_text", everywhere: true})
	statuses := []string{"active", "closed", "no_operator_response"}
	b.variable(dashboard.NewCustomVariableBuilder("status").
		Label("Status").
		Values(dashboard.StringOrMap{String: cog.ToPtr("active,closed,no_operator_response")}).
		IncludeAll(true).
		AllValue(customAllValue).
		Multi(false).
		Current(dashboard.VariableOption{
			Text:  dashboard.StringOrArrayOfString{String: cog.ToPtr("All")},
			Value: dashboard.StringOrArrayOfString{String: cog.ToPtr("$__all")},
		}).
		Options(statusOptions(statuses)))
	b.variable(dashboard.NewTextBoxVariableBuilder("search").
		Label("Messages containing").
		Description("Only the sessions with a message that contains this text; empty for all."))
	b.dimensionVariable("marker", "Marker", "marker", false)
	b.variable(dashboard.NewTextBoxVariableBuilder("conversation").
		Label("Session id").
		Description("The session whose transcript is shown; choose an id in a sessions table."))

	transcriptURL := "/d/chatbot-sessions?var-conversation=${__value.raw}&${__url_time_range}&var-datasource=${datasource}"
	b.add(dialogsTable("All chat sessions", "", transcriptURL, b.query(models.KindRecords, "dialogs")))
	b.add(dialogsTable("Chat sessions with markers", "Only the sessions with one of the chosen markers (All: any marker).",
		transcriptURL, b.query(models.KindRecords, "dialogs").Filter("marker", "$marker")))

	transcript := b.query(models.KindRecords, "transcript").ConversationID("$conversation")
	b.add(tablePanel("Transcript", "Choose a session id in a sessions table, or type it in the Session id box.", 24, tableHeight+3, transcript).
		CellOptions(common.TableCellOptions{TableAutoCellOptions: &common.TableAutoCellOptions{Type: common.TableCellDisplayModeAuto, WrapText: cog.ToPtr(true)}}).
		CellHeight(common.TableCellHeightAuto).
		OverrideByName("session_id", displayName("Session id")).
		OverrideByName("chat_date", displayName("Chat date")).
		OverrideByName("dialog_cost", append(displayName("Dialog cost"), dashboard.DynamicConfigValue{Id: "unit", Value: "currencyUSD"})).
		OverrideByName("client_id", displayName("Client id")).
		OverrideByName("author", displayName("Author")).
		OverrideByName("time", displayName("Time")).
		OverrideByName("text", append(displayName("Message"), dashboard.DynamicConfigValue{Id: "custom.minWidth", Value: 400})))

	byPlatform := func(metric string) *QueryBuilder { return b.query(models.KindTotals, metric).GroupBy("platform") }
	billing := []*QueryBuilder{byPlatform("paid_messages"), byPlatform("billing_cost")}
	b.add(joinedTable("Chat sessions billing format", "Per channel.", "platform", billing...).
		OverrideByQuery("A", displayName("Paid messages")).
		OverrideByQuery("B", append(displayName("Cost"), dashboard.DynamicConfigValue{Id: "unit", Value: "currencyUSD"})))

	byAgent := func(metric string) *QueryBuilder { return b.query(models.KindTotals, metric).GroupBy("agent") }
	operator := []*QueryBuilder{byAgent("operator_response_time_avg"), byAgent("operator_response_time_max"), byAgent("wait_time_avg")}
	b.add(joinedTable("Chat sessions with operator metrics", "Per agent.", "agent", operator...).
		OverrideByQuery("A", append(displayName("Average response time"), unit("s"))).
		OverrideByQuery("B", append(displayName("Maximum response time"), unit("s"))).
		OverrideByQuery("C", append(displayName("First response time (average)"), unit("s"))))

	productivity := []*QueryBuilder{byAgent("agent_messages"), byAgent("operator_response_time_avg"),
		byAgent("operator_response_time_max"), byAgent("cc_conversations")}
	b.add(joinedTable("Productivity", "Per agent.", "agent", productivity...).
		OverrideByQuery("A", displayName("Messages sent")).
		OverrideByQuery("B", append(displayName("Average response time"), unit("s"))).
		OverrideByQuery("C", append(displayName("Maximum response time"), unit("s"))).
		OverrideByQuery("D", displayName("Conversations assigned")))

	b.add(tablePanel("Sources", "Per channel.", 12, tableHeight, b.query(models.KindRecords, "sources")))
	b.add(rankingPanel("Web pages", "", 12, tableHeight, b.query(models.KindRanking, "web_pages").GroupBy("page").Limit(20)))
	b.add(rankingPanel("Popular phrases", "", 12, tableHeight, b.query(models.KindRanking, "popular_phrases").GroupBy("phrase").Limit(20)))
	b.add(rankingPanel("Client phrases", "", 12, tableHeight, b.query(models.KindRanking, "client_phrases").GroupBy("phrase").Limit(20)))
	return b
}

func unit(u string) dashboard.DynamicConfigValue {
	return dashboard.DynamicConfigValue{Id: "unit", Value: u}
}

// statusOptions are the status variable's options (All comes from includeAll).
func statusOptions(statuses []string) []dashboard.VariableOption {
	options := make([]dashboard.VariableOption, len(statuses))
	for i, s := range statuses {
		options[i] = dashboard.VariableOption{
			Text:  dashboard.StringOrArrayOfString{String: cog.ToPtr(s)},
			Value: dashboard.StringOrArrayOfString{String: cog.ToPtr(s)},
		}
	}
	return options
}
