package sqlbuild

import (
	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// pageVisitRows are the page visit summaries (migration 26) per day, hour
// and slot, and the raw visits at the edges, each as a row of one visit with
// its contact's platform (joined only when the metric reads it).
var pageVisitRows = slotRows{
	alias: "pw", column: "pv.visited_at",
	levels: unitLevels("page_visit", "url", "platform", "visits"),
	edges: func(workspace Workspace, ranges sq.Or, reads func(string) bool) sq.SelectBuilder {
		b := sq.Select("pv.workspace_id", "pv.visited_at", "pv.url", either(reads("platform"), "c.platform", "NULL::text"), "1").
			From("page_visits pv")
		if reads("platform") {
			b = b.Join("contacts c ON c.workspace_id = pv.workspace_id AND c.id = pv.contact_id")
		}
		return b.Where(workspaceFence("pv.workspace_id", workspace)).Where(ranges)
	},
}

func init() {
	summaries[summaryKey{"page_visit_slots", catalog.SourcePageVisits}] = summaryImpl{source{
		workspace: "pw.workspace_id", time: "pw.at", dimensions: map[string]column{
			catalog.DimPage.ID:     {expr: "pw.url"},
			catalog.DimPlatform.ID: {expr: "pw.platform"},
		}}, &pageVisitRows}
}
