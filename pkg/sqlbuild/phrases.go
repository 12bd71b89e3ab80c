package sqlbuild

import (
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// phraseLevel is a level of the messages per normalised phrase (migration
// 6): whole UTC hours or days.
func phraseLevel(grain time.Duration, table, column string) level {
	return level{grain: grain, table: table, column: column, as: "at",
		columns: []string{"platform", "direction", "sender", "phrase", "messages"}}
}

// phraseRows are the messages per phrase of whole UTC days and hours, and at
// the edges of a range the raw messages with a phrase, normalised by the
// same catalog.Phrase the raw query and the summaries' triggers use, each
// counted once.
var phraseRows = slotRows{
	alias: "ps", column: "m.created_at",
	levels: []level{
		phraseLevel(24*time.Hour, "phrase_days", "day"),
		phraseLevel(time.Hour, "phrase_hours", "hour"),
	},
	edges: func(workspace string, ranges sq.Or) sq.SelectBuilder {
		return sq.Select("m.workspace_id", "m.created_at", "c.platform", "m.direction", "m.sender", catalog.Phrase("m.body"), "1").
			From("messages m").
			Join("contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id").
			Where(workspaceFence("m.workspace_id", workspace)).Where(ranges).
			Where(sq.Expr(catalog.HasPhrase))
	},
}
