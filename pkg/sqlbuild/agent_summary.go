package sqlbuild

import (
	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// The agent messages' summary (migration 12): agent messages per sending
// agent, platform and inbox in 15-minute slots and their UTC hours and days.
// The agent's name and team are joined when read, as the raw rows join them:
// a message's team is its agent's team now, not at the message's time.

// Joins of the agent messages' summary rows to their agent (then, by the
// same join as the raw rows', its team) and to their inbox. Every agent
// message has an agent; the join is a left join like the raw rows' anyway.
var (
	agentOfAgentMessageSlot = join{"agent", "agents ag ON ag.workspace_id = am.workspace_id AND ag.id = am.agent_id", true, nil}
	inboxOfAgentMessageSlot = join{"inbox", "inboxes ib ON ib.workspace_id = am.workspace_id AND ib.id = am.inbox_id", false, nil}
)

// agentMessageSummary reads the summary's days, hours and slots, and at the
// range's edges the raw agent messages (the summary's required sender is
// applied there, as the summary's rows already meet it).
var agentMessageSummary = summaryImpl{
	source: source{workspace: "am.workspace_id", time: "am.at", dimensions: map[string]column{
		catalog.DimAgent.ID:    namedBy("am.agent_id", agentOfAgentMessageSlot),
		catalog.DimTeam.ID:     {expr: "tm.name", id: "tm.id", joins: []join{agentOfAgentMessageSlot, teamOfMessageAgent}},
		catalog.DimPlatform.ID: {expr: "am.platform"},
		catalog.DimInbox.ID:    namedBy("am.inbox_id", inboxOfAgentMessageSlot),
	}},
	slotted: &slotRows{
		alias: "am", column: "m.created_at",
		levels: unitLevels("agent_message", "agent_id", "platform", "inbox_id", "messages"),
		edges: func(workspace Workspace, ranges sq.Or, _ func(string) bool) sq.SelectBuilder {
			return messageEdgeRows(workspace, ranges, "m.workspace_id", "m.created_at", "m.agent_id", "c.platform", "mv.inbox_id", "1").
				Where(sq.Eq{"m.sender": "agent"})
		},
	},
}
