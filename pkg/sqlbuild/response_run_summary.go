package sqlbuild

import (
	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// responseSeconds is a raw run's response time in seconds, as the catalog's
// aggregates measure it.
const responseSeconds = "extract(epoch FROM rr.replied_at - rr.run_started_at)"

// responseRunRows are the run summaries (migration 17) per day, hour and
// slot, and the raw runs at the edges, each as a row of one run.
var responseRunRows = slotRows{
	alias: "rs", column: "rr.replied_at",
	levels: unitLevels("response_run", "agent_id", "platform", "runs", "response_seconds", "response_us"),
	// The contact is joined only when the metric reads the platform.
	edges: func(workspace Workspace, ranges sq.Or, reads func(string) bool) sq.SelectBuilder {
		b := sq.Select("rr.workspace_id", "rr.replied_at", "rr.agent_id", either(reads("platform"), "c.platform", "NULL::text"), "1",
			responseSeconds, "ARRAY[("+responseSeconds+" * 1000000)::bigint]").From("response_runs rr")
		if reads("platform") {
			b = b.Join("contacts c ON c.workspace_id = rr.workspace_id AND c.id = rr.contact_id")
		}
		return b.Where(workspaceFence("rr.workspace_id", workspace)).Where(ranges)
	},
}

// responseRunSummarySource is the summary source over run rows aliased alias.
func responseRunSummarySource(alias string) source {
	return source{workspace: alias + ".workspace_id", time: alias + ".at", dimensions: map[string]column{
		catalog.DimAgent.ID: namedBy(alias+".agent_id", join{"agent",
			"agents ag ON ag.workspace_id = " + alias + ".workspace_id AND ag.id = " + alias + ".agent_id", false, nil}),
		catalog.DimPlatform.ID: {expr: alias + ".platform"},
	}}
}

func init() {
	summaries[summaryKey{"response_run_slots", catalog.SourceResponseRuns}] = summaryImpl{responseRunSummarySource("rs"), &responseRunRows}
}
