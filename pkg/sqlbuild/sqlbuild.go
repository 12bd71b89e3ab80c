// Package sqlbuild turns a resolved plan into parameterised SQL with squirrel.
// It is pure: no I/O. Every identifier comes from the allow-lists below (the
// sources and their dimension columns); every value, from the workspace to the
// bucket boundaries and filter values, is a bind parameter.
package sqlbuild

import (
	"fmt"
	"sort"
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// psql builds PostgreSQL's $1, $2, ... placeholders.
var psql = sq.StatementBuilder.PlaceholderFormat(sq.Dollar)

// source is the SQL behind a catalog.Source: the rows, the workspace column
// that fences them to one tenant, their time column and their dimensions.
type source struct {
	from func(sq.SelectBuilder) sq.SelectBuilder
	// fromAt replaces from for snapshot sources: the rows as they stand at
	// one instant, the end of the time range.
	fromAt func(b sq.SelectBuilder, at time.Time) sq.SelectBuilder
	// fromRange replaces from for derived tables that must see the time range
	// inside them, so that their aggregation reads only the range's rows.
	fromRange func(b sq.SelectBuilder, from, to time.Time) sq.SelectBuilder
	workspace string
	// time is the column a time range applies to; empty for snapshot sources.
	time string
	// dimensions maps a dimension id to its column and the joins it needs.
	dimensions map[string]column
}

type column struct {
	expr  string
	joins []join
	// args are bind parameters of expr's ? placeholders.
	args []any
}

// filter keeps the rows whose column has one of values.
func (c column) filter(values []string) sq.Sqlizer {
	if len(c.args) == 0 {
		return sq.Eq{c.expr: values}
	}
	return sq.Expr("(("+c.expr+")::text) = ANY(?)", append(append([]any{}, c.args...), values)...)
}

// join is one allow-listed join; joins are added once each, in a fixed order.
// Optional references (an assignment's agent, a conversation's start flow) are
// left joins, so rows without one stay counted, under the "(none)" group.
type join struct {
	name     string
	clause   string
	optional bool
}

// contactOfMessage joins a message to its contact (for the platform).
var contactOfMessage = join{"contact", "contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id", false}

// contactOfConversation joins a conversation to its contact (for the platform).
var contactOfConversation = join{"contact", "contacts c ON c.workspace_id = v.workspace_id AND c.id = v.contact_id", false}

// startFlowOfConversation joins a conversation to the flow that started it.
var startFlowOfConversation = join{"flow", "flows fl ON fl.workspace_id = v.workspace_id AND fl.id = v.start_flow_id", true}

// Joins of an assignment to its contact, agent and team.
var (
	contactOfAssignment = join{"contact", "contacts c ON c.workspace_id = a.workspace_id AND c.id = a.contact_id", false}
	agentOfAssignment   = join{"agent", "agents ag ON ag.workspace_id = a.workspace_id AND ag.id = a.agent_id", true}
	teamOfAssignment    = join{"team", "teams tm ON tm.workspace_id = a.workspace_id AND tm.id = a.team_id", true}
)

// Optional references of messages and conversations.
var (
	agentOfMessage     = join{"agent", "agents ag ON ag.workspace_id = m.workspace_id AND ag.id = m.agent_id", true}
	taskOfConversation = join{"task", "tasks tk ON tk.workspace_id = v.workspace_id AND tk.id = v.task_id", true}
)

// Joins of the event tables to what they name.
var (
	contactOfTemplateSend = join{"contact", "contacts c ON c.workspace_id = ts.workspace_id AND c.id = ts.contact_id", false}
	agentOfAIAssist       = join{"agent", "agents ag ON ag.workspace_id = ai.workspace_id AND ag.id = ai.agent_id", false}
	markerOfMarking       = join{"marker", "markers mk ON mk.workspace_id = cm.workspace_id AND mk.id = cm.marker_id", false}
	contactOfPageVisit    = join{"contact", "contacts c ON c.workspace_id = pv.workspace_id AND c.id = pv.contact_id", false}
)

// flowOfTrigger joins a trigger event to its flow.
var flowOfTrigger = join{"flow", "flows fl ON fl.workspace_id = ft.workspace_id AND fl.id = ft.flow_id", false}

var sources = map[catalog.Source]source{
	catalog.SourceMessages: {
		from:      func(b sq.SelectBuilder) sq.SelectBuilder { return b.From("messages m") },
		workspace: "m.workspace_id",
		time:      "m.created_at",
		dimensions: map[string]column{
			catalog.DimPlatform.ID: {expr: "c.platform", joins: []join{contactOfMessage}},
			catalog.DimSender.ID:   {expr: "m.sender"},
			catalog.DimIntent.ID:   {expr: "m.intent"},
			catalog.DimLanguage.ID: {expr: "m.language"},
			catalog.DimAgent.ID:    {expr: "ag.name", joins: []join{agentOfMessage}},
		},
	},
	catalog.SourceConversations: {
		from:      func(b sq.SelectBuilder) sq.SelectBuilder { return b.From("conversations v") },
		workspace: "v.workspace_id",
		time:      "v.started_at",
		dimensions: map[string]column{
			catalog.DimPlatform.ID: {expr: "c.platform", joins: []join{contactOfConversation}},
			catalog.DimFlow.ID:     {expr: "fl.name", joins: []join{startFlowOfConversation}},
			catalog.DimTask.ID:     {expr: "tk.name", joins: []join{taskOfConversation}},
			catalog.DimStatus.ID:   {expr: conversationStatus, args: conversationStatusArgs},
			catalog.DimReplied.ID:  {expr: "(" + catalog.ContactReplied + ")::text", args: []any{"inbound"}},
			catalog.DimInterest.ID: {expr: "(v.interest_at IS NOT NULL)::text"},
			catalog.DimObtained.ID: {expr: "(v.contact_obtained_at IS NOT NULL)::text"},
			catalog.DimSuccess.ID:  {expr: "(v.success_at IS NOT NULL)::text"},
		},
	},
	catalog.SourceTemplateSends: {
		from:      func(b sq.SelectBuilder) sq.SelectBuilder { return b.From("template_sends ts") },
		workspace: "ts.workspace_id",
		time:      "ts.sent_at",
		dimensions: map[string]column{
			catalog.DimCategory.ID: {expr: "ts.category"},
			catalog.DimPlatform.ID: {expr: "c.platform", joins: []join{contactOfTemplateSend}},
		},
	},
	catalog.SourceAIAssists: {
		from:      func(b sq.SelectBuilder) sq.SelectBuilder { return b.From("ai_assist_uses ai") },
		workspace: "ai.workspace_id",
		time:      "ai.used_at",
		dimensions: map[string]column{
			catalog.DimTool.ID:  {expr: "ai.tool"},
			catalog.DimAgent.ID: {expr: "ag.name", joins: []join{agentOfAIAssist}},
		},
	},
	catalog.SourceMarkers: {
		from:      func(b sq.SelectBuilder) sq.SelectBuilder { return b.From("conversation_markers cm") },
		workspace: "cm.workspace_id",
		time:      "cm.marked_at",
		dimensions: map[string]column{
			catalog.DimMarker.ID: {expr: "mk.name", joins: []join{markerOfMarking}},
		},
	},
	catalog.SourcePageVisits: {
		from:      func(b sq.SelectBuilder) sq.SelectBuilder { return b.From("page_visits pv") },
		workspace: "pv.workspace_id",
		time:      "pv.visited_at",
		dimensions: map[string]column{
			catalog.DimPage.ID:     {expr: "pv.url"},
			catalog.DimPlatform.ID: {expr: "c.platform", joins: []join{contactOfPageVisit}},
		},
	},
	// One row per minute with messages, with how many. The range is applied
	// inside, on the messages' time index, before counting.
	catalog.SourceMessageMinutes: {
		fromRange: func(b sq.SelectBuilder, from, to time.Time) sq.SelectBuilder {
			return b.FromSelect(psql.Select("m.workspace_id", "date_trunc('minute', m.created_at) AS minute", "count(*) AS n").
				From("messages m").
				Where(sq.GtOrEq{"m.created_at": from}).Where(sq.Lt{"m.created_at": to}).
				GroupBy("m.workspace_id", "minute"), "mm")
		},
		workspace:  "mm.workspace_id",
		time:       "mm.minute",
		dimensions: map[string]column{},
	},
	catalog.SourceAssignments: {
		from:      func(b sq.SelectBuilder) sq.SelectBuilder { return b.From("assignments a") },
		workspace: "a.workspace_id",
		time:      "a.created_at",
		dimensions: map[string]column{
			catalog.DimPlatform.ID: {expr: "c.platform", joins: []join{contactOfAssignment}},
			catalog.DimAgent.ID:    {expr: "ag.name", joins: []join{agentOfAssignment}},
			catalog.DimTeam.ID:     {expr: "tm.name", joins: []join{teamOfAssignment}},
			catalog.DimRole.ID:     {expr: "a.role"},
			catalog.DimClosing.ID:  {expr: "a.closing_reason"},
		},
	},
	catalog.SourceFlowTriggers: {
		from:      func(b sq.SelectBuilder) sq.SelectBuilder { return b.From("flow_triggers ft") },
		workspace: "ft.workspace_id",
		time:      "ft.triggered_at",
		dimensions: map[string]column{
			catalog.DimFlow.ID: {expr: "fl.name", joins: []join{flowOfTrigger}},
		},
	},
	// One row per contact with the time of its first inbound message ever. The
	// lateral min() is one probe of messages_first_inbound_idx per contact,
	// instead of aggregating every message of the workspace.
	catalog.SourceFirstInbound: {
		from: func(b sq.SelectBuilder) sq.SelectBuilder {
			return b.From("contacts c").JoinClause(
				"CROSS JOIN LATERAL (SELECT min(fm.created_at) AS first_at FROM messages fm"+
					" WHERE fm.workspace_id = c.workspace_id AND fm.contact_id = c.id AND fm.direction = ?) f",
				"inbound")
		},
		workspace: "c.workspace_id",
		time:      "f.first_at",
		dimensions: map[string]column{
			catalog.DimPlatform.ID: {expr: "c.platform"},
		},
	},
}

// workspaceFence keeps only the rows whose workspace column is the data
// source's workspace: the one predicate every statement of the plugin carries.
func workspaceFence(column, workspace string) sq.Sqlizer {
	return sq.Expr(column+" = (SELECT w.id FROM workspaces w WHERE w.slug = ?)", workspace)
}

// Statement is SQL text with its arguments.
type Statement struct {
	SQL  string
	Args []any
}

// TimeSeries builds the query for a time-series plan. Each result row is
// (bucket int, series text, value float8), where bucket k (1-based) is the
// bucket starting at plan.Boundaries[k-1]. For cumulative metrics bucket 0
// holds everything before the first bucket: the running total's base.
func TimeSeries(plan catalog.Plan, workspace string) (Statement, error) {
	if plan.Metric.Source == catalog.SourcePresence {
		return connectionHours(plan, workspace)
	}
	first, last := plan.Boundaries[0], plan.Boundaries[len(plan.Boundaries)-1]
	return build(plan, workspace, first, last, func(src source, b sq.SelectBuilder) sq.SelectBuilder {
		return b.Column(sq.Expr("width_bucket("+src.time+", ?::timestamptz[]) AS bucket", plan.Boundaries))
	}, func(b sq.SelectBuilder) sq.SelectBuilder {
		return b.GroupBy("bucket", "series").OrderBy("bucket", "series")
	})
}

// Totals builds the query for a totals or ranking plan over exactly the time
// range. Each result row is (series text, value float8); a ranking is ordered
// largest first (ties by name) and cut to plan.Limit rows.
func Totals(plan catalog.Plan, workspace string) (Statement, error) {
	if plan.Metric.Source == catalog.SourcePresence {
		return connectionHours(plan, workspace)
	}
	return build(plan, workspace, plan.From, plan.To, nil, func(b sq.SelectBuilder) sq.SelectBuilder {
		b = b.GroupBy("series")
		if plan.Kind == models.KindRanking {
			return b.OrderBy("value DESC", "series").Limit(uint64(plan.Limit)) //nolint:gosec // 1..1000, checked by Resolve
		}
		return b.OrderBy("series")
	})
}

// build assembles the parts every kind shares: the metric's source and
// aggregate, the workspace fence, [from, to) on the source's time (no lower
// bound for cumulative metrics), the metric's conditions and the filters.
func build(plan catalog.Plan, workspace string, from, to time.Time,
	leading func(source, sq.SelectBuilder) sq.SelectBuilder, grouping func(sq.SelectBuilder) sq.SelectBuilder,
) (Statement, error) {
	src, ok := sources[plan.Metric.Source]
	if !ok {
		src, ok = snapshotSources[plan.Metric.Source]
	}
	if !ok {
		return Statement{}, fmt.Errorf("metric %s has no SQL source %q", plan.Metric.ID, plan.Metric.Source)
	}
	series := sq.Expr("''::text AS series")
	var joins []join
	if plan.GroupBy != "" {
		col, err := src.column(plan.Metric, plan.GroupBy)
		if err != nil {
			return Statement{}, err
		}
		series = sq.Expr("coalesce(("+col.expr+")::text, '') AS series", col.args...)
		joins = append(joins, col.joins...)
	}

	builder := psql.Select()
	if leading != nil {
		builder = leading(src, builder)
	}
	builder = builder.Column(series).
		Column(sq.Expr("("+plan.Metric.Aggregate+")::float8 AS value", aggregateArgs(plan)...))
	if src.fromAt != nil && leading != nil {
		return Statement{}, fmt.Errorf("metric %s is a state at one instant: query it as a snapshot", plan.Metric.ID)
	}
	where := sq.And{workspaceFence(src.workspace, workspace)}
	if src.fromAt != nil {
		builder = src.fromAt(builder, to)
	} else {
		if src.fromRange != nil {
			builder = src.fromRange(builder, from, to)
		} else {
			builder = src.from(builder)
		}
		where = append(where, sq.Lt{src.time: to})
		if !plan.Metric.Cumulative {
			where = append(where, sq.GtOrEq{src.time: from})
		}
	}
	if len(plan.Metric.Conditions) > 0 {
		where = append(where, sq.Eq(plan.Metric.Conditions))
	}
	for _, column := range plan.Metric.Present {
		where = append(where, sq.NotEq{column: nil})
	}
	if plan.Metric.Where != "" {
		where = append(where, sq.Expr(plan.Metric.Where, plan.Metric.WhereArgs...))
	}
	for _, f := range plan.Filters {
		col, err := src.column(plan.Metric, f.Dimension)
		if err != nil {
			return Statement{}, err
		}
		where = append(where, col.filter(f.Values))
		joins = append(joins, col.joins...)
	}
	for _, j := range uniqueJoins(joins) {
		if j.optional {
			builder = builder.LeftJoin(j.clause)
		} else {
			builder = builder.Join(j.clause)
		}
	}
	sqlText, args, err := grouping(builder.Where(where)).ToSql()
	if err != nil {
		return Statement{}, err
	}
	return Statement{SQL: sqlText, Args: args}, nil
}

// aggregateArgs are the metric's aggregate arguments with each Param replaced
// by the query's value.
func aggregateArgs(plan catalog.Plan) []any {
	args := make([]any, len(plan.Metric.AggregateArgs))
	for i, arg := range plan.Metric.AggregateArgs {
		switch arg {
		case catalog.ParamTargetSeconds:
			args[i] = plan.TargetSeconds
		default:
			args[i] = arg
		}
	}
	return args
}

func (s source) column(metric catalog.Metric, dimension string) (column, error) {
	col, ok := s.dimensions[dimension]
	if !ok || !metric.Allows(dimension) {
		return column{}, fmt.Errorf("metric %s has no column for dimension %q", metric.ID, dimension)
	}
	return col, nil
}

func uniqueJoins(joins []join) []join {
	seen := map[string]join{}
	for _, j := range joins {
		seen[j.name] = j
	}
	out := make([]join, 0, len(seen))
	for _, j := range seen {
		out = append(out, j)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].name < out[b].name })
	return out
}
