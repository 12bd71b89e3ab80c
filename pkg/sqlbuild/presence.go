package sqlbuild

import (
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// connectionHours builds the SQL of the connection hours metric: each agent
// presence interval clipped to each bucket it overlaps, in hours. An interval
// still open counts up to the end of the time range, never into the future.
// Rows are (bucket int, series text, value float8) like every time series; for
// totals and rankings the one bucket is the time range and the bucket column
// is left out.
func connectionHours(plan catalog.Plan, workspace string) (Statement, error) {
	boundaries := plan.Boundaries
	if plan.Kind != models.KindTimeSeries {
		boundaries = []time.Time{plan.From, plan.To}
	}
	series, seriesID := "''::text", "NULL::bigint"
	var joins []join
	if plan.GroupBy != "" {
		col, err := presenceColumn(plan.Metric, plan.GroupBy)
		if err != nil {
			return Statement{}, err
		}
		series = "coalesce((" + col.expr + ")::text, '')"
		if col.id != "" {
			seriesID = "(" + col.id + ")::bigint"
		}
		joins = append(joins, col.joins...)
	}
	overlapEnd := "coalesce(p.ended_at, ?::timestamptz)"
	builder := psql.Select().
		Prefix(`WITH b AS (SELECT k::int AS bucket, s AS bucket_start, lead(s) OVER (ORDER BY k) AS bucket_end
			FROM unnest(?::timestamptz[]) WITH ORDINALITY AS u(s, k))`, boundaries)
	if plan.Kind == models.KindTimeSeries {
		builder = builder.Column("b.bucket")
	}
	builder = builder.Column(series + " AS series")
	if plan.Kind != models.KindTimeSeries {
		builder = builder.Column(seriesID + " AS series_id")
	}
	builder = builder.
		Column(sq.Expr("(sum(extract(epoch FROM least(b.bucket_end, "+overlapEnd+") - greatest(b.bucket_start, p.started_at))) / 3600)::float8 AS value", plan.To)).
		From("agent_presence p").
		JoinClause(sq.Expr("JOIN b ON b.bucket_end IS NOT NULL AND p.started_at < b.bucket_end AND "+overlapEnd+" > b.bucket_start", plan.To))
	where := sq.And{
		workspaceFence("p.workspace_id", workspace),
		sq.Lt{"p.started_at": plan.To},
	}
	for _, f := range plan.Filters {
		col, err := presenceColumn(plan.Metric, f.Dimension)
		if err != nil {
			return Statement{}, err
		}
		where = append(where, col.filter(f.Values))
		joins = append(joins, col.joins...)
	}
	for _, j := range uniqueJoins(joins) {
		builder = builder.Join(j.clause)
	}
	builder = builder.Where(where)
	if plan.Kind == models.KindTimeSeries {
		return statement(builder.GroupBy("b.bucket", "series").OrderBy("b.bucket", "series"))
	}
	return statement(ordered(plan, builder.GroupBy("series", "series_id")))
}

// agentOfPresence joins a presence interval to its agent.
var agentOfPresence = join{"agent", "agents ag ON ag.workspace_id = p.workspace_id AND ag.id = p.agent_id", false}

func presenceColumn(metric catalog.Metric, dimension string) (column, error) {
	return source{dimensions: map[string]column{
		catalog.DimAgent.ID: {expr: "ag.name", id: "ag.id", joins: []join{agentOfPresence}},
	}}.column(metric, dimension)
}
