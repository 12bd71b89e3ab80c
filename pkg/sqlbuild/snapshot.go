package sqlbuild

import (
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// conversationsOpenSince are the columns of the conversations started before
// at and not closed before since (closed_at null, or since or later): two
// index-only scans of conversations_open_idx, which carries the columns the
// snapshots read (migration 7), where one scan with the two conditions OR-ed
// would be a bitmap scan that reads each conversation's page. The two parts
// are disjoint, so UNION ALL keeps every conversation once. With resolved,
// a last column says whether it was closed before at: false for those not
// closed, so that a condition on it leaves the other part the index range
// of closed_at at or after at.
func conversationsOpenSince(at, since time.Time, resolved bool, columns ...string) sq.SelectBuilder {
	notClosed := sq.Select(columns...).From("conversations v").Where(sq.Lt{"v.started_at": at}).Where(sq.Eq{"v.closed_at": nil})
	closedSince := sq.Select(columns...).From("conversations v").Where(sq.Lt{"v.started_at": at}).Where(sq.GtOrEq{"v.closed_at": since})
	if resolved {
		notClosed = notClosed.Column("false AS resolved")
		closedSince = closedSince.Column(sq.Expr("v.closed_at < ? AS resolved", at))
	}
	return notClosed.SuffixExpr(sq.ConcatExpr("UNION ALL ", closedSince))
}

// openAssignmentsAt are the assignments open at the instant (created before
// it, not ended by then), the latest of each conversation should there be
// two: a set the sessions left join, found with assignments_open_idx and
// assignments_ended_idx (migration 14). PostgreSQL drops the join from the
// queries that use none of its columns, as it is unique per conversation.
func openAssignmentsAt(at time.Time) sq.SelectBuilder {
	return sq.Select("DISTINCT ON (a.workspace_id, a.conversation_id) a.workspace_id, a.conversation_id, a.id, a.agent_id, a.team_id").
		From("assignments a").
		Where(sq.Lt{"a.created_at": at}).
		Where(sq.Or{sq.Eq{"a.ended_at": nil}, sq.GtOrEq{"a.ended_at": at}}).
		OrderBy("a.workspace_id", "a.conversation_id", "a.created_at DESC", "a.id DESC")
}

// contactsAtDimensions are the groups of the contacts at an instant.
var contactsAtDimensions = map[string]column{
	catalog.DimPlatform.ID: {expr: "k.platform"},
	// A lateral subquery, so that each contact's conversations are one
	// index probe (conversations_contact_idx), whatever the planner guesses
	// of the contacts' count.
	catalog.DimInbox.ID: {expr: "ib.name", id: "ib.id", joins: []join{{"inbox",
		"LATERAL (SELECT DISTINCT kv.inbox_id FROM conversations kv" +
			" WHERE kv.workspace_id = k.workspace_id AND kv.contact_id = k.contact_id AND kv.started_at < k.at) ki ON true" +
			" JOIN inboxes ib ON ib.workspace_id = k.workspace_id AND ib.id = ki.inbox_id", false, nil}}},
}

// contactsAtFromFirstInbound is catalog.SourceContactsAt per inbox, read
// from contact_first_inbound rather than every contact's messages.
const contactsAtFromFirstInbound catalog.Source = "contacts_at_from_first_inbound"

// snapshotSources are the rows of the live state at one instant: each is a
// derived table whose columns the snapshot metrics count and group.
var snapshotSources = map[catalog.Source]source{
	// One row per active session at the instant: a conversation not closed, or
	// closed less than 24 hours before it, with whether it was resolved (closed
	// before the instant), its contact and inbox, the assignment open at the
	// instant (the latest, should there be two) with its agent and team, and
	// the instant (at) for the joins. Its state is resolved, else assigned
	// when an assignment is open, else unassigned. Only the queries by state,
	// agent or team read the open assignments (see openAssignmentsAt), and
	// only those by platform the contacts.
	catalog.SourceSessionsAt: {
		fromAt: func(b sq.SelectBuilder, at time.Time) sq.SelectBuilder {
			return b.FromSelect(psql.Select("v.workspace_id", "v.id", "v.contact_id", "v.inbox_id", "v.resolved").
				Columns("oa.id AS assignment_id", "oa.agent_id", "oa.team_id").
				Column(sq.Expr("?::timestamptz AS at", at)).
				FromSelect(conversationsOpenSince(at, at.Add(-24*time.Hour), true, "v.workspace_id", "v.id", "v.contact_id", "v.inbox_id"), "v").
				JoinClause(sq.ConcatExpr("LEFT JOIN (", openAssignmentsAt(at),
					") oa ON oa.workspace_id = v.workspace_id AND oa.conversation_id = v.id")), "s")
		},
		workspace: "s.workspace_id",
		dimensions: map[string]column{
			catalog.DimState.ID: {expr: "CASE WHEN s.resolved THEN ? WHEN s.assignment_id IS NOT NULL THEN ? ELSE ? END",
				args: []any{"resolved", "assigned", "unassigned"}},
			catalog.DimPlatform.ID: {expr: "c.platform", joins: []join{
				{"contact", "contacts c ON c.workspace_id = s.workspace_id AND c.id = s.contact_id", false, nil}}},
			catalog.DimInbox.ID: {expr: "ib.name", id: "ib.id", joins: []join{
				{"inbox", "inboxes ib ON ib.workspace_id = s.workspace_id AND ib.id = s.inbox_id", false, nil}}},
			catalog.DimAgent.ID: {expr: "ag.name", id: "ag.id", joins: []join{
				{"agent", "agents ag ON ag.workspace_id = s.workspace_id AND ag.id = s.agent_id", true, nil}}},
			catalog.DimTeam.ID: {expr: "tm.name", id: "tm.id", joins: []join{
				{"team", "teams tm ON tm.workspace_id = s.workspace_id AND tm.id = s.team_id", true, nil}}},
		},
	},
	// One row per contact who sent an inbound message before the instant, with
	// whether a conversation of theirs is open at it, and the instant itself
	// (at) for the inbox join: one row per inbox in which the contact started
	// a conversation before it, so the metrics count distinct contacts.
	catalog.SourceContactsAt: {
		fromAt: func(b sq.SelectBuilder, at time.Time) sq.SelectBuilder {
			return b.FromSelect(psql.Select("c.workspace_id", "c.id AS contact_id", "c.platform").
				Column(sq.Expr(`EXISTS (SELECT 1 FROM conversations v WHERE v.workspace_id = c.workspace_id AND v.contact_id = c.id
					AND v.started_at < ? AND (v.closed_at IS NULL OR v.closed_at >= ?)) AS open`, at, at)).
				Column(sq.Expr("?::timestamptz AS at", at)).
				From("contacts c").
				Where(sq.Expr(`EXISTS (SELECT 1 FROM messages m WHERE m.workspace_id = c.workspace_id AND m.contact_id = c.id
					AND m.direction = ? AND m.created_at < ?)`, "inbound", at)), "k")
		},
		workspace:  "k.workspace_id",
		dimensions: contactsAtDimensions,
	},
	// The rows per inbox from the first inbound messages (see contactsAt):
	// one per contact whose first inbound message is before the instant and
	// inbox of a conversation of theirs started before it (so only for the
	// queries by inbox, which count those), with whether one of the
	// conversations open then is theirs. The contacts' inboxes are one
	// DISTINCT over their conversations (an index-only scan of
	// conversations_contact_idx) joined to the contacts as a set, not a
	// probe per contact.
	contactsAtFromFirstInbound: {
		fromAt: func(b sq.SelectBuilder, at time.Time) sq.SelectBuilder {
			return b.FromSelect(psql.Select("f.workspace_id", "f.contact_id", "f.platform", "ci.inbox_id", "o.contact_id IS NOT NULL AS open").
				From("contact_first_inbound f").
				JoinClause(sq.ConcatExpr("JOIN (",
					sq.Select("DISTINCT kv.workspace_id, kv.contact_id, kv.inbox_id").From("conversations kv").Where(sq.Lt{"kv.started_at": at}),
					") ci ON ci.workspace_id = f.workspace_id AND ci.contact_id = f.contact_id")).
				JoinClause(sq.ConcatExpr("LEFT JOIN (",
					sq.Select("DISTINCT v.workspace_id, v.contact_id").FromSelect(conversationsOpenSince(at, at, false, "v.workspace_id", "v.contact_id"), "v"),
					") o ON o.workspace_id = f.workspace_id AND o.contact_id = f.contact_id")).
				Where(sq.Lt{"f.first_at": at}), "k")
		},
		workspace: "k.workspace_id",
		dimensions: map[string]column{
			catalog.DimPlatform.ID: {expr: "k.platform"},
			catalog.DimInbox.ID: {expr: "ib.name", id: "ib.id", joins: []join{
				{"inbox", "inboxes ib ON ib.workspace_id = k.workspace_id AND ib.id = k.inbox_id", false, nil}}},
		},
	},
	// One row per assignment waiting for a human at the instant: created by
	// then (at it included), and neither accepted nor ended by then, with the
	// seconds it has waited.
	catalog.SourceWaitingAt: {
		fromAt: func(b sq.SelectBuilder, at time.Time) sq.SelectBuilder {
			return b.FromSelect(psql.Select("a.workspace_id", "a.team_id", "a.conversation_id", "a.contact_id").
				Column(sq.Expr("extract(epoch FROM ?::timestamptz - a.created_at) AS waited_seconds", at)).
				From("assignments a").
				Where(sq.LtOrEq{"a.created_at": at}).
				Where(sq.Or{sq.Eq{"a.accepted_at": nil}, sq.Gt{"a.accepted_at": at}}).
				Where(sq.Or{sq.Eq{"a.ended_at": nil}, sq.Gt{"a.ended_at": at}}), "w")
		},
		workspace: "w.workspace_id",
		dimensions: map[string]column{
			catalog.DimTeam.ID: {expr: "tm.name", id: "tm.id", joins: []join{
				{"team", "teams tm ON tm.workspace_id = w.workspace_id AND tm.id = w.team_id", true, nil}}},
			catalog.DimInbox.ID: {expr: "ib.name", id: "ib.id", joins: []join{{"inbox",
				"conversations iv ON iv.workspace_id = w.workspace_id AND iv.id = w.conversation_id" +
					" JOIN inboxes ib ON ib.workspace_id = iv.workspace_id AND ib.id = iv.inbox_id", false, nil}}},
			catalog.DimPlatform.ID: {expr: "c.platform", joins: []join{
				{"contact", "contacts c ON c.workspace_id = w.workspace_id AND c.id = w.contact_id", false, nil}}},
		},
	},
}

// Snapshot builds the query for a snapshot plan: the state at the end of the
// time range. Each result row is (series text, series_id bigint, value
// float8), by group name. The contacts at an instant come from the summaries
// where they can (see contactsAt).
func Snapshot(plan catalog.Plan, workspace Workspace) (Statement, error) {
	return snapshot(plan, wholeRange(plan, workspace))
}

// RawSnapshot is Snapshot from the source rows only, never a summary.
func RawSnapshot(plan catalog.Plan, workspace Workspace) (Statement, error) {
	sc := wholeRange(plan, workspace)
	sc.raw = true
	return snapshot(plan, sc)
}

func snapshot(plan catalog.Plan, sc scope) (Statement, error) {
	b, comment, ok, err := contactsAt(plan, sc)
	if err != nil {
		return Statement{}, err
	}
	if !ok {
		if b, err = aggregated(plan, plan.Metric, sc, false); err != nil {
			return Statement{}, err
		}
		comment = usedComment(plan, plan.Metric, sc)
	}
	return statement(b.OrderBy("series").Prefix(comment))
}
