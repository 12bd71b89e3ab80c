package sqlbuild

import (
	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// activeContactRows are the active contact summaries (migration 18) per day,
// hour and slot: per unit and platform, the last inbound message before the
// unit of each contact active in it, in microseconds. At the edges each raw
// inbound message is a row of its own with the same value: the time of the
// contact's inbound message before it (by time, then id), or none (a new
// contact, counted in new_contacts as the levels count theirs). Every
// row also carries before: the start of its bucket less a microsecond, so
// that a count of the values at or below it is a count of the bucket's
// distinct contacts (see catalog.Summaries).
var activeContactRows = slotRows{
	alias: "ac", column: "m.created_at",
	levels: unitLevels("active_contact", "platform", "new_contacts", "previous"),
	// The contact is joined only when the metric reads the platform; the
	// previous message is one backward probe of the contact's inbound
	// messages (messages_first_inbound_idx) per edge message.
	edges: func(workspace string, ranges sq.Or, reads func(string) bool) sq.SelectBuilder {
		previous := sq.Select("(extract(epoch FROM p.created_at) * 1000000)::bigint").From("messages p").
			Where("p.workspace_id = m.workspace_id AND p.contact_id = m.contact_id").
			Where(sq.Eq{"p.direction": "inbound"}).
			Where("p.created_at <= m.created_at AND (p.created_at < m.created_at OR p.id < m.id)").
			OrderBy("p.created_at DESC", "p.id DESC").Limit(1)
		b := sq.Select("m.workspace_id", "m.created_at", either(reads("platform"), "c.platform", "NULL::text"),
			"(x.previous = "+catalog.NoPreviousMessage+")::int", "ARRAY[x.previous]").
			From("messages m").
			JoinClause(sq.ConcatExpr("CROSS JOIN LATERAL (SELECT coalesce((", previous, "), "+catalog.NoPreviousMessage+") AS previous) x"))
		if reads("platform") {
			b = b.Join("contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id")
		}
		return b.Where(workspaceFence("m.workspace_id", workspace)).Where(ranges).Where(sq.Eq{"m.direction": "inbound"})
	},
	group: func(union sq.SelectBuilder, sc scope) sq.SelectBuilder {
		return sq.Select("u.workspace_id", "u.at", "u.platform", "u.new_contacts", "u.previous").
			Column(sq.Expr("(extract(epoch FROM (?::timestamptz[])[width_bucket(u.at, ?::timestamptz[])]) * 1000000)::bigint - 1 AS before",
				sc.boundaries, sc.boundaries)).
			FromSelect(union, "u")
	},
}

func init() {
	src := source{workspace: "ac.workspace_id", time: "ac.at", dimensions: map[string]column{
		catalog.DimPlatform.ID: {expr: "ac.platform"},
	}}
	summaries[summaryKey{"active_contact_slots", catalog.SourceMessages}] = summaryImpl{src, &activeContactRows}
	summaries[summaryKey{"active_contact_slots", catalog.SourceActiveContacts}] = summaryImpl{src, &activeContactRows}
}
