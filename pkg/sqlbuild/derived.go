package sqlbuild

import (
	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// The derived row sets of the metrics that need more than one table scan:
// each is a subquery that sees the workspace and the time range inside it,
// so that it reads only the rows it needs.
func init() {
	sources[catalog.SourceActiveContacts] = source{
		fromRange: activeContacts,
		workspace: "ak.workspace_id",
		time:      "ak.at",
		dimensions: map[string]column{
			catalog.DimPlatform.ID: {expr: "c.platform", joins: []join{{"contact", "contacts c ON c.workspace_id = ak.workspace_id AND c.id = ak.contact_id", false, nil}}},
		},
	}
	sources[catalog.SourceResponseRuns] = source{
		fromRange:  responseRuns,
		workspace:  "rr.workspace_id",
		time:       "rr.replied_at",
		dimensions: responseRunDimensions,
	}
	sources[catalog.SourcePresence] = source{
		fromRange: presenceInBuckets,
		workspace: "ph.workspace_id",
		time:      "ph.at",
		dimensions: map[string]column{
			catalog.DimAgent.ID: {expr: "ag.name", id: "ag.id", joins: []join{{"agent", "agents ag ON ag.workspace_id = ph.workspace_id AND ag.id = ph.agent_id", false, nil}}},
		},
	}
	sources[catalog.SourceCreditMovements] = source{
		// The fence and the time range are pushed into both arms of the union
		// by the planner, onto each table's (workspace, time) index.
		from: func(b sq.SelectBuilder) sq.SelectBuilder {
			return b.From(`(SELECT l.workspace_id, l.occurred_at AS at, l.amount FROM credit_ledger l
				UNION ALL SELECT t.workspace_id, t.sent_at, -t.cost FROM template_sends t) cr`)
		},
		workspace:  "cr.workspace_id",
		time:       "cr.at",
		dimensions: map[string]column{},
	}
}

// responseRunDimensions are the dimensions of the response runs, raw or
// summarised (both have the same columns under the alias rr).
var responseRunDimensions = map[string]column{
	catalog.DimAgent.ID:    {expr: "ag.name", id: "ag.id", joins: []join{{"agent", "agents ag ON ag.workspace_id = rr.workspace_id AND ag.id = rr.agent_id", false, nil}}},
	catalog.DimPlatform.ID: {expr: "c.platform", joins: []join{{"contact", "contacts c ON c.workspace_id = rr.workspace_id AND c.id = rr.contact_id", false, nil}}},
}

// presenceInBuckets is the connection hours' rows: each agent presence
// interval clipped to each bucket it overlaps, in hours, stamped with the
// bucket's start so that it falls in that bucket again outside. An interval
// still open counts up to the end of the range, never into the future.
func presenceInBuckets(b sq.SelectBuilder, sc scope) sq.SelectBuilder {
	end := "coalesce(p.ended_at, ?::timestamptz)"
	return b.FromSelect(psql.Select("p.workspace_id", "p.agent_id", "k.bucket_start AS at").
		Column(sq.Expr("extract(epoch FROM least(k.bucket_end, "+end+") - greatest(k.bucket_start, p.started_at)) / 3600 AS hours", sc.to())).
		From("agent_presence p").
		JoinClause(sq.Expr(`JOIN (SELECT s AS bucket_start, lead(s) OVER (ORDER BY n) AS bucket_end
			FROM unnest(?::timestamptz[]) WITH ORDINALITY AS u(s, n)) k
			ON k.bucket_end IS NOT NULL AND p.started_at < k.bucket_end AND `+end+` > k.bucket_start`, sc.boundaries, sc.to())).
		Where(workspaceFence("p.workspace_id", sc.workspace)).
		Where(sq.Lt{"p.started_at": sc.to()}), "ph")
}

// activeContacts is the returning users' rows: one per contact and bucket
// with an inbound message, stamped with the contact's first inbound message
// in that bucket (so that it falls in the same bucket again outside). The
// contact is returning in the bucket when it wrote before that first message.
func activeContacts(b sq.SelectBuilder, sc scope) sq.SelectBuilder {
	return b.FromSelect(psql.Select("m.workspace_id", "m.contact_id", "min(m.created_at) AS at").
		Column(sq.Expr("width_bucket(m.created_at, ?::timestamptz[]) AS k", sc.boundaries)).
		From("messages m").
		Where(workspaceFence("m.workspace_id", sc.workspace)).
		Where(sq.Eq{"m.direction": "inbound"}).
		Where(sq.GtOrEq{"m.created_at": sc.from()}).Where(sq.Lt{"m.created_at": sc.to()}).
		GroupBy("m.workspace_id", "m.contact_id", "k"), "ak")
}

// responseRuns is the operator response time's rows. Each message of a
// conversation gets the number of outbound messages before it: inbound
// messages with the same number form a run, and the outbound message with
// that number is what answered it. A run counts when an agent's message
// answered it (a bot or broadcast answer does not), timed from the run's
// first inbound message to that reply. Only conversations with an agent
// message in the range are read, each whole, so a run that began before the
// range still has its start.
func responseRuns(b sq.SelectBuilder, sc scope) sq.SelectBuilder {
	// A nested builder keeps ? placeholders; the outer one numbers them all.
	answered := sq.Select("r.conversation_id").From("messages r").
		Where(workspaceFence("r.workspace_id", sc.workspace)).
		Where(sq.Eq{"r.sender": "agent"}).
		Where(sq.GtOrEq{"r.created_at": sc.from()}).Where(sq.Lt{"r.created_at": sc.to()})
	numbered := psql.Select("m.workspace_id", "m.conversation_id", "m.contact_id", "m.direction", "m.agent_id", "m.created_at").
		Column(sq.Expr("count(*) FILTER (WHERE m.direction = ?) OVER (PARTITION BY m.conversation_id ORDER BY m.created_at, m.id)"+
			" - (m.direction = ?)::int AS run", "outbound", "outbound")).
		From("messages m").
		Where(workspaceFence("m.workspace_id", sc.workspace)).
		Where(sq.Expr("m.conversation_id IN (?)", answered))
	runs := psql.Select("g.workspace_id", "g.conversation_id", "g.contact_id", "max(g.agent_id) AS agent_id").
		Column(sq.Expr("min(g.created_at) FILTER (WHERE g.direction = ?) AS run_started_at", "inbound")).
		Column(sq.Expr("min(g.created_at) FILTER (WHERE g.direction = ?) AS replied_at", "outbound")).
		FromSelect(numbered, "g").
		GroupBy("g.workspace_id", "g.conversation_id", "g.contact_id", "g.run").
		// Only the run's closing outbound message can carry an agent id.
		Having(sq.Expr("max(g.agent_id) IS NOT NULL AND count(*) FILTER (WHERE g.direction = ?) > 0", "inbound"))
	return b.FromSelect(runs, "rr")
}
