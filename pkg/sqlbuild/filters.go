package sqlbuild

import (
	"strings"
	"time"

	sq "github.com/Masterminds/squirrel"
)

// hasMarker keeps the conversations v carrying any of the markers named.
func hasMarker(names []string, _ time.Time) sq.Sqlizer { return hasMarkerOf("v", names) }

// hasMarkerOf keeps the rows of alias (a conversation's workspace_id and id)
// whose conversation carries any of the markers named. alias is always one
// of the builder's own constants.
func hasMarkerOf(alias string, names []string) sq.Sqlizer {
	return sq.Expr("EXISTS (SELECT 1 FROM conversation_markers fcm"+
		" JOIN markers fmk ON fmk.workspace_id = fcm.workspace_id AND fmk.id = fcm.marker_id"+
		" WHERE fcm.workspace_id = "+alias+".workspace_id AND fcm.conversation_id = "+alias+".id AND fmk.name = ANY(?))", names)
}

// hasMessageContaining keeps the conversations v with at least one message
// whose text contains any of texts, ignoring case. The patterns travel as
// one bind parameter, never as SQL text. For conversations started at from
// or later (zero: any) only the messages from then on are read: a
// conversation's messages fall from its start on (docs/schema.md, "What must
// hold for the metrics to be right"), so the months before are not, and the
// trigram index of migration 23 finds the few matching ones.
func hasMessageContaining(texts []string, from time.Time) sq.Sqlizer {
	patterns := make([]string, len(texts))
	for i, text := range texts {
		patterns[i] = ContainsPattern(text)
	}
	query := "EXISTS (SELECT 1 FROM messages fmt WHERE fmt.workspace_id = v.workspace_id AND fmt.conversation_id = v.id"
	var args []any
	if !from.IsZero() {
		query += " AND fmt.created_at >= ?"
		args = append(args, from)
	}
	return sq.Expr(query+" AND fmt.body ILIKE ANY(?::text[]))", append(args, patterns)...)
}

// likeEscaper escapes LIKE's wildcards and its escape character, the
// backslash (PostgreSQL's default when no ESCAPE clause is given).
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// ContainsPattern is the LIKE pattern of the texts that contain text: the
// text's %, _ and \ match themselves, not any characters.
func ContainsPattern(text string) string {
	return "%" + likeEscaper.Replace(text) + "%"
}

// excludingIf is keep, or with exclude the rows keep does not keep:
// "(keep) IS NOT TRUE", which also keeps the rows where keep is null, those
// without a value for the dimension (an assignment without a team, say), as
// Prometheus and Loki keep series without the label for !=. Summaries and
// raw rows share this predicate, so both answer the same.
func excludingIf(exclude bool, keep sq.Sqlizer) sq.Sqlizer {
	if !exclude {
		return keep
	}
	return sq.Expr("(?) IS NOT TRUE", keep)
}
