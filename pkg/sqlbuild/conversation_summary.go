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
	// The inbox of the rows per platform and inbox only (migration 36).
	inboxOfConversationInboxSlot = join{"inbox", "inboxes ib ON ib.workspace_id = cx.workspace_id AND ib.id = cx.inbox_id", false, nil}
	// The task of the rows per task only (migration 43).
	taskOfConversationTaskSlot = join{"task", "tasks tk ON tk.workspace_id = ct.workspace_id AND tk.id = ct.task_id", true, nil}
)

// conversationSummary answers conversations, start flows, messages per
// conversation and the campaign funnel from the conversations per start day,
// hour and slot, and the raw conversations that start in the partial slots at
// the range's edges, each with its messages and funnel steps counted as the
// triggers count them.
var conversationSummary = summaryImpl{
	source: source{workspace: "cv.workspace_id", time: "cv.at", dimensions: map[string]column{
		catalog.DimPlatform.ID: {expr: "cv.platform"},
		catalog.DimInbox.ID:    namedBy("cv.inbox_id", inboxOfConversationSlot),
		catalog.DimFlow.ID:     namedBy("cv.start_flow_id", flowOfConversationSlot),
		catalog.DimTask.ID:     namedBy("cv.task_id", taskOfConversationSlot),
	}},
	slotted: &slotRows{
		alias: "cv", column: "v.started_at",
		levels: unitLevels("conversation", "platform", "inbox_id", "task_id", "start_flow_id", "conversations", "messages",
			"replied", "obtained", "succeeded", "transferred"),
		edges: conversationEdgeRows(true, "v.inbox_id", "v.task_id", "v.start_flow_id"),
	},
}

// conversationInboxSummary answers the same metrics from the same sums per
// platform and inbox only (migration 36), when they group and filter by
// neither the task nor the start flow.
var conversationInboxSummary = summaryImpl{
	source: source{workspace: "cx.workspace_id", time: "cx.at", dimensions: map[string]column{
		catalog.DimPlatform.ID: {expr: "cx.platform"},
		catalog.DimInbox.ID:    namedBy("cx.inbox_id", inboxOfConversationInboxSlot),
	}},
	slotted: &slotRows{
		alias: "cx", column: "v.started_at",
		levels: unitLevels("conversation_inbox", "platform", "inbox_id", "conversations", "messages",
			"replied", "obtained", "succeeded", "transferred"),
		shiftedHours: "conversation_inbox_shifted_hours", // migration 41
		edges:        conversationEdgeRows(true, "v.inbox_id"),
	},
}

// conversationTaskSummary answers the same metrics from the same sums per
// task only (migration 43), when they group or filter by the task and by no
// other dimension: a campaign's chats, replies and successes.
var conversationTaskSummary = summaryImpl{
	source: source{workspace: "ct.workspace_id", time: "ct.at", dimensions: map[string]column{
		catalog.DimTask.ID: namedBy("ct.task_id", taskOfConversationTaskSlot),
	}},
	slotted: &slotRows{
		alias: "ct", column: "v.started_at",
		levels: unitLevels("conversation_task", "task_id", "conversations", "messages",
			"replied", "obtained", "succeeded", "transferred"),
		edges: conversationEdgeRows(false, "v.task_id"),
	},
}

// conversationEdgeRows are the raw conversations (v) of some time ranges as
// rows of a conversation summary whose key is the platform (when
// withPlatform) and keys: each
// with what the metric reads of its messages (their number; its funnel's
// steps, as the catalog's aggregates define them: replied, and also
// obtained or successful) and of its contact (the platform). Whether it has
// an inbound message is its count in conversation_inbound, which the
// triggers keep with the messages (migration 16): one probe of its key
// instead of one of each month's messages. Whether it was handed to a human
// is its number of assignments there (migration 24).
func conversationEdgeRows(withPlatform bool, keys ...string) func(workspace Workspace, ranges sq.Or, reads func(string) bool) sq.SelectBuilder {
	return func(workspace Workspace, ranges sq.Or, reads func(string) bool) sq.SelectBuilder {
		funnel := reads("replied") || reads("obtained") || reads("succeeded")
		counts := funnel || reads("transferred")
		columns := []string{"v.workspace_id", "v.started_at"}
		if withPlatform {
			columns = append(columns, either(reads("platform"), "c.platform", "NULL::text"))
		}
		columns = append(columns, keys...)
		b := sq.Select(append(columns, "1",
			either(reads("messages"), "(SELECT count(*) FROM messages mc WHERE mc.workspace_id = v.workspace_id AND mc.conversation_id = v.id)", "NULL::bigint"),
			either(funnel, "(coalesce(ci.inbound, 0) > 0)::int", "NULL::int"),
			either(funnel, "(coalesce(ci.inbound, 0) > 0 AND v.contact_obtained_at IS NOT NULL)::int", "NULL::int"),
			either(funnel, "(coalesce(ci.inbound, 0) > 0 AND v.success_at IS NOT NULL)::int", "NULL::int"),
			either(reads("transferred"), "(coalesce(ci.assignments, 0) > 0)::int", "NULL::int"))...).
			From("conversations v")
		if counts {
			b = b.LeftJoin("conversation_inbound ci ON ci.workspace_id = v.workspace_id AND ci.conversation_id = v.id")
		}
		if reads("platform") {
			b = b.Join("contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id")
		}
		return b.Where(workspaceFence("v.workspace_id", workspace)).Where(ranges)
	}
}
