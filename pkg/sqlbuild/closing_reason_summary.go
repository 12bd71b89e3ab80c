package sqlbuild

import (
	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// closingReasonRows are the ended assignments per closing reason (migration
// 21) per day, hour and slot, and the raw ended assignments at the edges.
var closingReasonRows = slotRows{
	alias: "cr", column: "a.created_at",
	levels: unitLevels("closing_reason", "closing_reason", "platform", "inbox_id", "agent_id", "team_id", "role", "assignments"),
	// The contact and the conversation are joined only when the metric
	// reads the platform or the inbox.
	edges: func(workspace Workspace, ranges sq.Or, reads func(string) bool) sq.SelectBuilder {
		platform, inbox := reads("platform"), reads("inbox_id")
		b := sq.Select("a.workspace_id", "a.created_at", "a.closing_reason", either(platform, "c.platform", "NULL::text"),
			either(inbox, "v.inbox_id", "NULL::bigint"), "a.agent_id", "a.team_id", "a.role", "1").From("assignments a")
		if platform {
			b = b.Join("contacts c ON c.workspace_id = a.workspace_id AND c.id = a.contact_id")
		}
		if inbox {
			b = b.Join("conversations v ON v.workspace_id = a.workspace_id AND v.id = a.conversation_id")
		}
		return b.Where(workspaceFence("a.workspace_id", workspace)).Where(ranges).Where(sq.NotEq{"a.ended_at": nil})
	},
}

func init() {
	src := assignmentSource("cr")
	src.dimensions[catalog.DimClosing.ID] = column{expr: "cr.closing_reason"}
	summaries[summaryKey{"closing_reason_slots", catalog.SourceAssignments}] = summaryImpl{src, &closingReasonRows}
}
