package sqlbuild

import (
	"time"

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
var activeContactRows = contactValueRows("ac", "active_contact", false)

// languageContactRows are the same per contact and language (migration
// 19): per unit, language and platform, the last inbound message in that
// language before the unit of each contact who wrote in it there; at the
// edges, each raw inbound message with a language and its contact's
// previous one in that language.
var languageContactRows = contactValueRows("lc", "language_contact", true)

// contactValueRows are the rows of the levels prefix (aliased alias) and of
// the edge messages, per language when perLanguage.
func contactValueRows(alias, prefix string, perLanguage bool) slotRows {
	columns := []string{"platform", "new_contacts", "previous"}
	if perLanguage {
		columns = []string{"language", "platform", "previous"}
	}
	return slotRows{
		alias: alias, column: "m.created_at",
		levels: unitLevels(prefix, columns...),
		// The contact is joined only when the metric reads the platform;
		// the previous message is one backward probe of the contact's
		// inbound messages (messages_first_inbound_idx) per edge message.
		edges: func(workspace Workspace, ranges sq.Or, reads func(string) bool) sq.SelectBuilder {
			previous := sq.Select("(extract(epoch FROM p.created_at) * 1000000)::bigint").From("messages p").
				Where("p.workspace_id = m.workspace_id AND p.contact_id = m.contact_id").
				Where(sq.Eq{"p.direction": "inbound"}).
				Where("p.created_at <= m.created_at AND (p.created_at < m.created_at OR p.id < m.id)").
				OrderBy("p.created_at DESC", "p.id DESC").Limit(1)
			first := []string{"m.workspace_id", "m.created_at"}
			if perLanguage {
				previous = previous.Where("p.language = m.language")
				first = append(first, "m.language")
			}
			b := sq.Select(append(first, either(reads("platform"), "c.platform", "NULL::text"))...)
			if !perLanguage {
				b = b.Column("(x.previous = " + catalog.NoPreviousMessage + ")::int")
			}
			b = b.Column("ARRAY[x.previous]").From("messages m").
				JoinClause(sq.ConcatExpr("CROSS JOIN LATERAL (SELECT coalesce((", previous, "), "+catalog.NoPreviousMessage+") AS previous) x"))
			if reads("platform") {
				b = b.Join("contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id")
			}
			b = b.Where(workspaceFence("m.workspace_id", workspace)).Where(ranges).Where(sq.Eq{"m.direction": "inbound"})
			if perLanguage {
				b = b.Where(sq.NotEq{"m.language": nil})
			}
			return b
		},
		// Each row with its bucket's start less a microsecond. The starts
		// go as microseconds: extract(epoch ...) computes in numeric, which
		// cost about a third of a microsecond per row (8 ms of a statement
		// of 29,397 rows).
		group: func(union sq.SelectBuilder, sc scope) sq.SelectBuilder {
			return sq.Select(append([]string{"u.workspace_id", "u.at"}, prefixed("u.", columns)...)...).
				Column(sq.Expr("(?::bigint[])[width_bucket(u.at, ?::timestamptz[])] - 1 AS before",
					unixMicros(sc.boundaries), sc.boundaries)).
				FromSelect(union, "u")
		},
	}
}

func init() {
	src := source{workspace: "ac.workspace_id", time: "ac.at", dimensions: map[string]column{
		catalog.DimPlatform.ID: {expr: "ac.platform"},
	}}
	summaries[summaryKey{"active_contact_slots", catalog.SourceMessages}] = summaryImpl{src, &activeContactRows}
	summaries[summaryKey{"active_contact_slots", catalog.SourceActiveContacts}] = summaryImpl{src, &activeContactRows}
	// The raw active contacts, each with its first inbound message ever by
	// the key of contact_first_inbound (which every contact with an inbound
	// message has), for buckets the slots cannot answer.
	summaries[summaryKey{"contact_first_inbound/active_contacts", catalog.SourceActiveContacts}] = summaryImpl{source: source{
		fromRange: func(b sq.SelectBuilder, sc scope) sq.SelectBuilder {
			return activeContacts(b, sc).Join("contact_first_inbound f ON f.workspace_id = ak.workspace_id AND f.contact_id = ak.contact_id")
		},
		workspace: "ak.workspace_id", time: "ak.at", dimensions: map[string]column{
			catalog.DimPlatform.ID: {expr: "f.platform"},
		},
	}}
	summaries[summaryKey{"language_contact_slots", catalog.SourceMessages}] = summaryImpl{source{
		workspace: "lc.workspace_id", time: "lc.at", dimensions: map[string]column{
			catalog.DimLanguage.ID: {expr: "lc.language"},
			catalog.DimPlatform.ID: {expr: "lc.platform"},
		}}, &languageContactRows}
}

// unixMicros is each time as microseconds since the Unix epoch, the unit of
// the summaries' previous messages.
func unixMicros(times []time.Time) []int64 {
	out := make([]int64, len(times))
	for i, t := range times {
		out[i] = t.UnixMicro()
	}
	return out
}
