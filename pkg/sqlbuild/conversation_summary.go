package sqlbuild

import (
	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// Joins of the conversation summary's rows to the inboxes, flows and tasks
// they name; the flow and task are optional, as on the raw conversations.
var (
	inboxOfConversationSlot = join{"inbox", "inboxes ib ON ib.workspace_id = cv.workspace_id AND ib.id = cv.inbox_id", false, nil}
	flowOfConversationSlot  = join{"flow", "flows fl ON fl.workspace_id = cv.workspace_id AND fl.id = cv.start_flow_id", true, nil}
	taskOfConversationSlot  = join{"task", "tasks tk ON tk.workspace_id = cv.workspace_id AND tk.id = cv.task_id", true, nil}
)

// conversationSummary answers conversations, start flows, messages per
// conversation and the campaign funnel from the conversations per start day,
// hour and slot, and the raw conversations that start in the partial slots at
// the range's edges, each with its messages and funnel steps counted as the
// triggers count them.
var conversationSummary = summaryImpl{
	source: source{workspace: "cv.workspace_id", time: "cv.at", dimensions: map[string]column{
		catalog.DimPlatform.ID: {expr: "cv.platform"},
		catalog.DimInbox.ID:    {expr: "ib.name", id: "ib.id", joins: []join{inboxOfConversationSlot}},
		catalog.DimFlow.ID:     {expr: "fl.name", id: "fl.id", joins: []join{flowOfConversationSlot}},
		catalog.DimTask.ID:     {expr: "tk.name", id: "tk.id", joins: []join{taskOfConversationSlot}},
	}},
	slotted: &slotRows{
		alias: "cv", column: "v.started_at",
		levels: unitLevels("conversation", "platform", "inbox_id", "task_id", "start_flow_id", "conversations", "messages",
			"replied", "obtained", "succeeded"),
		// The funnel's steps of one conversation, as the catalog's
		// aggregates define them: replied, and also obtained or successful.
		edges: func(workspace string, ranges sq.Or) sq.SelectBuilder {
			return sq.Select("v.workspace_id", "v.started_at", "c.platform", "v.inbox_id", "v.task_id", "v.start_flow_id", "1",
				"(SELECT count(*) FROM messages mc WHERE mc.workspace_id = v.workspace_id AND mc.conversation_id = v.id)").
				Columns("r.replied::int", "(r.replied AND v.contact_obtained_at IS NOT NULL)::int", "(r.replied AND v.success_at IS NOT NULL)::int").
				From("conversations v").
				JoinClause(sq.Expr("CROSS JOIN LATERAL (SELECT "+catalog.ContactReplied+" AS replied) r", "inbound")).
				Join("contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id").
				Where(workspaceFence("v.workspace_id", workspace)).Where(ranges)
		},
	},
}
