package sqlbuild

import (
	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// templateSendRows are the template send summaries (migration 22) per day,
// hour and slot, and the raw sends at the edges, each as a row of one send
// with its contact's platform (joined only when the metric reads it).
var templateSendRows = slotRows{
	alias: "tx", column: "t.sent_at",
	levels: unitLevels("template_send", "category", "platform", "inbox_id", "sends", "cost"),
	edges: func(workspace Workspace, ranges sq.Or, reads func(string) bool) sq.SelectBuilder {
		b := sq.Select("t.workspace_id", "t.sent_at", "t.category", either(reads("platform"), "c.platform", "NULL::text"),
			"t.inbox_id", "1", "t.cost").From("template_sends t")
		if reads("platform") {
			b = b.Join("contacts c ON c.workspace_id = t.workspace_id AND c.id = t.contact_id")
		}
		return b.Where(workspaceFence("t.workspace_id", workspace)).Where(ranges)
	},
}

// creditMovementRows are the credit movement summaries (migration 22) per
// day, hour and slot, and at the edges the raw movements: ledger entries,
// and template sends as minus their cost.
var creditMovementRows = slotRows{
	alias: "cb", column: "r.at",
	levels: unitLevels("credit_movement", "movements", "amount"),
	edges: func(workspace Workspace, ranges sq.Or, _ func(string) bool) sq.SelectBuilder {
		return sq.Select("r.workspace_id", "r.at", "1", "r.amount").
			From(`(SELECT l.workspace_id, l.occurred_at AS at, l.amount FROM credit_ledger l
				UNION ALL SELECT t.workspace_id, t.sent_at, -t.cost FROM template_sends t) r`).
			Where(workspaceFence("r.workspace_id", workspace)).Where(ranges)
	},
}

func init() {
	summaries[summaryKey{"template_send_slots", catalog.SourceTemplateSends}] = summaryImpl{source{
		workspace: "tx.workspace_id", time: "tx.at", dimensions: map[string]column{
			catalog.DimCategory.ID: {expr: "tx.category"},
			catalog.DimPlatform.ID: {expr: "tx.platform"},
			catalog.DimInbox.ID: namedBy("tx.inbox_id",
				join{"inbox", "inboxes ib ON ib.workspace_id = tx.workspace_id AND ib.id = tx.inbox_id", false, nil}),
		}}, &templateSendRows}
	summaries[summaryKey{"credit_movement_slots", catalog.SourceCreditMovements}] = summaryImpl{source{
		workspace: "cb.workspace_id", time: "cb.at", dimensions: map[string]column{}}, &creditMovementRows}
}
