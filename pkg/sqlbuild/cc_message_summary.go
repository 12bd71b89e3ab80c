package sqlbuild

import (
	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// ccMessageRows are the contact-center message summaries (migration 20) per
// day, hour and slot, and at the edges the raw messages that an open
// assignment of their conversation covered, each as a row of one message.
var ccMessageRows = slotRows{
	alias: "cm", column: "m.created_at",
	levels: unitLevels("cc_message", "platform", "inbox_id", "sender", "messages"),
	// The contact and the conversation are joined only when the metric
	// reads the platform or the inbox.
	edges: func(workspace Workspace, ranges sq.Or, reads func(string) bool) sq.SelectBuilder {
		platform, inbox := reads("platform"), reads("inbox_id")
		return messageEdgeRowsJoining(workspace, ranges, platform, inbox, "m.workspace_id", "m.created_at",
			either(platform, "c.platform", "NULL::text"), either(inbox, "mv.inbox_id", "NULL::bigint"), "m.sender", "1").
			Where(catalog.AssignmentOpen)
	},
}

func init() {
	summaries[summaryKey{"cc_message_slots", catalog.SourceMessages}] = summaryImpl{source{
		workspace: "cm.workspace_id", time: "cm.at", dimensions: map[string]column{
			catalog.DimPlatform.ID: {expr: "cm.platform"},
			catalog.DimInbox.ID: namedBy("cm.inbox_id",
				join{"inbox", "inboxes ib ON ib.workspace_id = cm.workspace_id AND ib.id = cm.inbox_id", false, nil}),
			catalog.DimSender.ID: {expr: "cm.sender"},
		}}, &ccMessageRows}
}
