package sqlbuild

import (
	"strings"

	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// keyOf is the key of a catalog summary's SQL: its table, and the row set
// when the table is read in more than one way (catalog.Summary.Rows).
func keyOf(s catalog.Summary) summaryKey {
	if s.Rows != "" {
		return summaryKey{s.Table + "/" + s.Rows, s.Source}
	}
	return summaryKey{s.Table, s.Source}
}

// summaryArgs are the bind parameters of a summary's aggregate: the metric's
// own, in the same order, when the summary's aggregate takes as many (the
// service level's target and outcome); none when it takes none and the
// metric's are constants its rows have already applied. ok is false when
// the summary cannot take the metric's parameters.
func summaryArgs(aggregate string, metricArgs []any) (args []any, ok bool) {
	switch n := strings.Count(aggregate, "?"); {
	case n == 0:
		return nil, paramFree(metricArgs)
	case n == len(metricArgs):
		return metricArgs, true
	default:
		return nil, false
	}
}

// assignmentEdgeRows are the raw assignments of some time ranges as summary
// rows of one assignment each, with its contact's platform and its
// conversation's inbox as the triggers copy them.
func assignmentEdgeRows(workspace Workspace, ranges sq.Or, _ func(string) bool) sq.SelectBuilder {
	return sq.Select("a.workspace_id", "a.created_at", "c.platform", "v.inbox_id", "a.agent_id", "a.team_id", "a.role").
		Columns(assignmentFacts...).
		From("assignments a").
		Join("contacts c ON c.workspace_id = a.workspace_id AND c.id = a.contact_id").
		Join("conversations v ON v.workspace_id = a.workspace_id AND v.id = a.conversation_id").
		Where(workspaceFence("a.workspace_id", workspace)).Where(ranges)
}

// assignmentEdgeRowsBy are assignmentEdgeRows with one key column of the
// assignment alone (team_id, agent_id), as the levels per team or agent
// keep them.
func assignmentEdgeRowsBy(key string) func(workspace Workspace, ranges sq.Or, _ func(string) bool) sq.SelectBuilder {
	return func(workspace Workspace, ranges sq.Or, _ func(string) bool) sq.SelectBuilder {
		return sq.Select("a.workspace_id", "a.created_at", "a."+key).Columns(assignmentFacts...).
			From("assignments a").Where(workspaceFence("a.workspace_id", workspace)).Where(ranges)
	}
}

// assignmentFacts are an assignment's state, count, durations in seconds
// and the same in microseconds as one-value arrays, as a summary row keeps
// them (after its key columns).
var assignmentFacts = func() []string {
	const (
		wait = "extract(epoch FROM a.first_reply_at - a.created_at)"
		talk = "extract(epoch FROM a.ended_at - a.accepted_at)"
	)
	return []string{"a.accepted_at IS NOT NULL", "a.first_reply_at IS NOT NULL", "a.ended_at IS NOT NULL", "a.outcome", "1",
		"coalesce(" + wait + ", 0)", "coalesce(" + talk + ", 0)",
		"CASE WHEN a.first_reply_at IS NULL THEN '{}'::bigint[] ELSE ARRAY[(" + wait + " * 1000000)::bigint] END",
		"CASE WHEN a.ended_at IS NULL OR a.accepted_at IS NULL THEN '{}'::bigint[] ELSE ARRAY[(" + talk + " * 1000000)::bigint] END"}
}()

// assignmentFactColumns are the summary columns of assignmentFacts.
var assignmentFactColumns = []string{"accepted", "replied", "ended", "outcome",
	"assignments", "wait_seconds", "conversation_seconds", "wait_us", "conversation_us"}

// assignmentRows are the assignment summaries per day, hour and slot, and
// the raw assignments at the edges.
var assignmentRows = slotRows{
	alias: "sa", column: "a.created_at",
	levels: unitLevels("assignment", append([]string{"platform", "inbox_id", "agent_id", "team_id", "role"}, assignmentFactColumns...)...),
	edges:  assignmentEdgeRows,
}

// assignmentRowsBy are the same in the levels of prefix with one key
// column alone, read under alias.
func assignmentRowsBy(alias, prefix, key string) slotRows {
	return slotRows{
		alias: alias, column: "a.created_at",
		levels: unitLevels(prefix, append([]string{key}, assignmentFactColumns...)...),
		edges:  assignmentEdgeRowsBy(key),
	}
}

var (
	// assignmentTeamRows are the same per team only (migration 37), and per
	// hour shifted 15, 30 or 45 minutes past the UTC hour (migration 42).
	assignmentTeamRows = func() slotRows {
		r := assignmentRowsBy("st", "assignment_team", "team_id")
		r.shiftedHours = "assignment_team_shifted_hours"
		return r
	}()
	// assignmentAgentRows are the same per agent only (migration 40).
	assignmentAgentRows = assignmentRowsBy("sg", "assignment_agent", "agent_id")
)

// assignmentValues are assignmentRows with one row per duration of array
// (its value in v, microseconds), for percentiles.
func assignmentValues(alias, array string) slotRows { return unnested(assignmentRows, alias, array) }

// unnested is r under alias with one row per value of its sorted array
// column array (the value in v), for percentiles.
func unnested(r slotRows, alias, array string) slotRows {
	r.alias = alias
	r.group = func(union sq.SelectBuilder, _ scope) sq.SelectBuilder {
		return sq.Select("u.*", "x.v").FromSelect(union, "u").JoinClause("CROSS JOIN LATERAL unnest(u." + array + ") x(v)")
	}
	return r
}

// assignmentSourceBy is the summary source over the assignment rows per
// one dimension aliased alias (per team or per agent): assignmentSource's,
// with that dimension's column alone.
func assignmentSourceBy(alias, dimension string) source {
	src := assignmentSource(alias)
	src.dimensions = map[string]column{dimension: src.dimensions[dimension]}
	return src
}

// assignmentSource is the summary source over assignment rows aliased alias.
func assignmentSource(alias string) source {
	return source{workspace: alias + ".workspace_id", time: alias + ".at", dimensions: map[string]column{
		catalog.DimPlatform.ID: {expr: alias + ".platform"},
		catalog.DimInbox.ID: namedBy(alias+".inbox_id", join{"inbox",
			"inboxes ib ON ib.workspace_id = " + alias + ".workspace_id AND ib.id = " + alias + ".inbox_id", false, nil}),
		catalog.DimAgent.ID: namedBy(alias+".agent_id", join{"agent",
			"agents ag ON ag.workspace_id = " + alias + ".workspace_id AND ag.id = " + alias + ".agent_id", true, nil}),
		catalog.DimTeam.ID: namedBy(alias+".team_id", join{"team",
			"teams tm ON tm.workspace_id = " + alias + ".workspace_id AND tm.id = " + alias + ".team_id", true, nil}),
		catalog.DimRole.ID: {expr: alias + ".role"},
	}}
}

func init() {
	register := func(table string, src source, rows slotRows) {
		summaries[summaryKey{table, catalog.SourceAssignments}] = summaryImpl{src, &rows}
	}
	register("assignment_team_slots", assignmentSourceBy("st", catalog.DimTeam.ID), assignmentTeamRows)
	register("assignment_agent_slots", assignmentSourceBy("sg", catalog.DimAgent.ID), assignmentAgentRows)
	register("assignment_agent_slots/wait_us", assignmentSourceBy("gw", catalog.DimAgent.ID), unnested(assignmentAgentRows, "gw", "wait_us"))
	register("assignment_agent_slots/conversation_us", assignmentSourceBy("gc", catalog.DimAgent.ID), unnested(assignmentAgentRows, "gc", "conversation_us"))
	register("assignment_slots", assignmentSource("sa"), assignmentRows)
	register("assignment_slots/wait_us", assignmentSource("aw"), assignmentValues("aw", "wait_us"))
	register("assignment_slots/conversation_us", assignmentSource("ac"), assignmentValues("ac", "conversation_us"))
}
