package sqlbuild

import (
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// snapshotSources are the rows of the live state at one instant: each is a
// derived table whose columns the snapshot metrics count and group.
var snapshotSources = map[catalog.Source]source{
	// One row per active session at the instant: a conversation not closed, or
	// closed less than 24 hours before it, with its state (resolved when closed,
	// assigned when an assignment is open, else unassigned).
	catalog.SourceSessionsAt: {
		fromAt: func(b sq.SelectBuilder, at time.Time) sq.SelectBuilder {
			return b.FromSelect(psql.Select("v.workspace_id", "v.contact_id", "c.platform").
				Column(sq.Expr(`CASE WHEN v.closed_at < ? THEN ?
					WHEN EXISTS (SELECT 1 FROM assignments a WHERE a.workspace_id = v.workspace_id AND a.conversation_id = v.id
						AND a.created_at < ? AND (a.ended_at IS NULL OR a.ended_at >= ?)) THEN ?
					ELSE ? END AS state`, at, "resolved", at, at, "assigned", "unassigned")).
				From("conversations v").
				Join("contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id").
				Where(sq.Lt{"v.started_at": at}).
				Where(sq.Or{sq.Eq{"v.closed_at": nil}, sq.GtOrEq{"v.closed_at": at.Add(-24 * time.Hour)}}), "s")
		},
		workspace: "s.workspace_id",
		dimensions: map[string]column{
			catalog.DimState.ID:    {expr: "s.state"},
			catalog.DimPlatform.ID: {expr: "s.platform"},
		},
	},
	// One row per contact who sent an inbound message before the instant, with
	// whether a conversation of theirs is open at it.
	catalog.SourceContactsAt: {
		fromAt: func(b sq.SelectBuilder, at time.Time) sq.SelectBuilder {
			return b.FromSelect(psql.Select("c.workspace_id", "c.id AS contact_id", "c.platform").
				Column(sq.Expr(`EXISTS (SELECT 1 FROM conversations v WHERE v.workspace_id = c.workspace_id AND v.contact_id = c.id
					AND v.started_at < ? AND (v.closed_at IS NULL OR v.closed_at >= ?)) AS open`, at, at)).
				From("contacts c").
				Where(sq.Expr(`EXISTS (SELECT 1 FROM messages m WHERE m.workspace_id = c.workspace_id AND m.contact_id = c.id
					AND m.direction = ? AND m.created_at < ?)`, "inbound", at)), "k")
		},
		workspace: "k.workspace_id",
		dimensions: map[string]column{
			catalog.DimPlatform.ID: {expr: "k.platform"},
		},
	},
}

// Snapshot builds the query for a snapshot plan: the state at the end of the
// time range. Each result row is (series text, value float8), by group name.
func Snapshot(plan catalog.Plan, workspace string) (Statement, error) {
	b, err := aggregated(plan, plan.Metric, wholeRange(plan, workspace), false)
	if err != nil {
		return Statement{}, err
	}
	return statement(b.OrderBy("series"))
}
