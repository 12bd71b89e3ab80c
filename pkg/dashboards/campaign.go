package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/table"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// campaign reproduces the campaign Dashboard: one task's month, its new chats
// and AI expense per day, the reply, contact and success funnel, the expense
// ratios and the dialogs report.
func campaign() *board {
	b := newBoard("chatbot-campaign", "Chatbot campaign",
		"One task's month: new chats and AI expense per day, the funnel of replies, contacts and successes, expense ratios and the dialogs report.",
		"campaign").
		time("now/M", "now/M")
	b.filters = append(b.filters, filterVariable{name: "task", dimension: "task", everywhere: true})
	// Sort disabled: Grafana then selects the first value the resource lists
	// when the dashboard has none saved, which order=recent makes the most
	// recent task.
	b.variable(dashboard.NewQueryVariableBuilder("task").
		Label("Task").
		Datasource(datasourceRef()).
		Query(dashboard.StringOrMap{String: cog.ToPtr("task?order=recent")}).
		Definition("task?order=recent").
		Refresh(dashboard.VariableRefreshOnDashboardLoad).
		Sort(dashboard.VariableSortDisabled).
		Multi(false).
		IncludeAll(false))
	totals := func(metric string) *QueryBuilder { return b.query(models.KindTotals, metric) }
	daily := func(metric string) *QueryBuilder { return b.query(models.KindTimeSeries, metric).Interval("day") }

	b.add(stackedBars(timeSeriesPanel("New chats", "Per day.", 12, daily("conversations"))))
	b.add(stackedBars(timeSeriesPanel("AI expenses", "Per day.", 12, daily("ai_expense"))))

	funnel := func(title string, queries ...*QueryBuilder) panelBuilder {
		return statPanel(title, "Over the month.", 6, queries...).TextMode(common.BigValueTextModeValueAndName)
	}
	b.add(funnel("Total chats", totals("conversations")))
	b.add(funnel("Total replies", totals("replies"), totals("reply_share")))
	b.add(funnel("Total contacts", totals("contacts_obtained"), totals("contacts_obtained_share")))
	b.add(funnel("Total successful", totals("successes"), totals("success_share")))

	b.add(statPanel("Total expense", "Over the month.", 6, totals("ai_expense")))
	b.add(statPanel("Expense per dialogue", "Over the month.", 6, totals("expense_per_dialogue")))
	b.add(statPanel("Expense per contact", "Over the month.", 6, totals("expense_per_contact")))
	b.add(statPanel("Expense per success", "Over the month.", 6, totals("expense_per_success")))

	// The CSV of Inspect > Data holds the data after the panel's transformations
	// ("The panel inspect view" in Grafana's docs): leaving out the markers keeps
	// exactly the dialogs report's columns.
	b.add(dialogsTable("Dialogs", "Download it as CSV from the panel menu (Inspect > Data): the columns are the dialogs report's.",
		"/d/chatbot-sessions?var-conversation=${__value.raw}&${__url_time_range}&var-datasource=${datasource}",
		b.query(models.KindRecords, "dialogs")).
		WithTransformation(dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{
			"excludeByName": map[string]bool{"markers": true},
		}}))
	return b
}

// dialogsTable lists dialogs; the id column opens the dialog's transcript.
func dialogsTable(title, note, transcriptURL string, q *QueryBuilder) *table.PanelBuilder {
	return tablePanel(title, note, 24, tableHeight+3, q).
		OverrideByName("id", link("Transcript of dialog ${__value.raw}", transcriptURL))
}
