// Package sqlbuild turns a resolved plan into parameterised SQL with squirrel.
// It is pure: no I/O. Every identifier comes from the allow-lists below (the
// sources and their dimension columns); every value, from the workspace to the
// bucket boundaries and filter values, is a bind parameter.
package sqlbuild

import (
	"fmt"
	"sort"

	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// psql builds PostgreSQL's $1, $2, ... placeholders.
var psql = sq.StatementBuilder.PlaceholderFormat(sq.Dollar)

// source is the SQL behind a catalog.Source: the rows, the workspace column
// that fences them to one tenant, their time column and their dimensions.
type source struct {
	from      func(sq.SelectBuilder) sq.SelectBuilder
	workspace string
	time      string
	// dimensions maps a dimension id to its column and the joins it needs.
	dimensions map[string]column
}

type column struct {
	expr  string
	joins []join
}

// join is one allow-listed join; joins are added once each, in a fixed order.
type join struct {
	name   string
	clause string
}

// contactOfMessage joins a message to its contact (for the platform).
var contactOfMessage = join{"contact", "contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id"}

var sources = map[catalog.Source]source{
	catalog.SourceMessages: {
		from:      func(b sq.SelectBuilder) sq.SelectBuilder { return b.From("messages m") },
		workspace: "m.workspace_id",
		time:      "m.created_at",
		dimensions: map[string]column{
			catalog.DimPlatform.ID: {expr: "c.platform", joins: []join{contactOfMessage}},
			catalog.DimSender.ID:   {expr: "m.sender"},
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
	src, ok := sources[plan.Metric.Source]
	if !ok {
		return Statement{}, fmt.Errorf("metric %s has no SQL source %q", plan.Metric.ID, plan.Metric.Source)
	}
	series := "''::text"
	var joins []join
	if plan.GroupBy != "" {
		col, err := src.column(plan.Metric, plan.GroupBy)
		if err != nil {
			return Statement{}, err
		}
		series = "coalesce((" + col.expr + ")::text, '')"
		joins = append(joins, col.joins...)
	}

	first, last := plan.Boundaries[0], plan.Boundaries[len(plan.Boundaries)-1]
	builder := psql.Select().
		Column(sq.Expr("width_bucket("+src.time+", ?::timestamptz[]) AS bucket", plan.Boundaries)).
		Column(series + " AS series").
		Column("(" + plan.Metric.Aggregate + ")::float8 AS value")
	builder = src.from(builder)

	where := sq.And{
		sq.Expr(src.workspace+" = (SELECT w.id FROM workspaces w WHERE w.slug = ?)", workspace),
		sq.Lt{src.time: last},
	}
	if !plan.Metric.Cumulative {
		where = append(where, sq.GtOrEq{src.time: first})
	}
	if len(plan.Metric.Conditions) > 0 {
		where = append(where, sq.Eq(plan.Metric.Conditions))
	}
	for _, f := range plan.Filters {
		col, err := src.column(plan.Metric, f.Dimension)
		if err != nil {
			return Statement{}, err
		}
		where = append(where, sq.Eq{col.expr: f.Values})
		joins = append(joins, col.joins...)
	}
	for _, j := range uniqueJoins(joins) {
		builder = builder.Join(j.clause)
	}
	sqlText, args, err := builder.Where(where).GroupBy("bucket", "series").OrderBy("bucket", "series").ToSql()
	if err != nil {
		return Statement{}, err
	}
	return Statement{SQL: sqlText, Args: args}, nil
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
