package sqlbuild

import (
	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// phraseRows are the messages per phrase of whole UTC days and hours, and at
// the edges of a range the raw messages with a phrase, normalised by the
// same catalog.Phrase the raw query and the summaries' triggers use, each
// counted once.
var phraseRows = slotRows{
	alias: "ps", column: "m.created_at",
	// Days and hours only: most slots hold each of their phrases once.
	levels: unitLevels("phrase", "platform", "direction", "sender", "phrase", "messages")[:2],
	edges: func(workspace Workspace, ranges sq.Or, _ func(string) bool) sq.SelectBuilder {
		return sq.Select("m.workspace_id", "m.created_at", "c.platform", "m.direction", "m.sender", catalog.Phrase("m.body"), "1").
			From("messages m").
			Join("contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id").
			Where(workspaceFence("m.workspace_id", workspace)).Where(ranges).
			Where(sq.Expr(catalog.HasPhrase))
	},
}

// phraseDirectionRows are the messages per phrase and direction of whole
// UTC days and hours (migration 29), and at the edges the raw messages with
// a phrase, as for phraseRows.
var phraseDirectionRows = slotRows{
	alias: "pd", column: "m.created_at",
	levels: unitLevels("phrase_direction", "direction", "phrase", "messages")[:2],
	edges: func(workspace Workspace, ranges sq.Or, _ func(string) bool) sq.SelectBuilder {
		return sq.Select("m.workspace_id", "m.created_at", "m.direction", catalog.Phrase("m.body"), "1").
			From("messages m").
			Where(workspaceFence("m.workspace_id", workspace)).Where(ranges).
			Where(sq.Expr(catalog.HasPhrase))
	},
}
