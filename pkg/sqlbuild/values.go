package sqlbuild

import (
	"fmt"
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// valueSource says where a dimension's values come from: a column of a table,
// and the table's time column when the values are events that a time range
// can narrow (entity tables such as flows or agents ignore the range).
type valueSource struct {
	table, column, time string
}

// where keeps the workspace's non-null values, narrowed to [from, to) where
// the values are events and from and to are both set.
func (src valueSource) where(workspace Workspace, from, to time.Time) sq.And {
	where := sq.And{
		workspaceFence("x.workspace_id", workspace),
		sq.NotEq{src.column: nil},
	}
	if src.time != "" && !from.IsZero() && !to.IsZero() {
		where = append(where, sq.GtOrEq{src.time: from}, sq.Lt{src.time: to})
	}
	return where
}

// dimensionValues lists, for each dimension, where its values are read. The
// closed vocabularies (sender, role) are listed from the catalog instead.
var dimensionValues = map[string]valueSource{
	catalog.DimPlatform.ID: {table: "contacts x", column: "x.platform"},
	catalog.DimIntent.ID:   {table: "messages x", column: "x.intent", time: "x.created_at"},
	catalog.DimLanguage.ID: {table: "messages x", column: "x.language", time: "x.created_at"},
	catalog.DimFlow.ID:     {table: "flows x", column: "x.name"},
	catalog.DimInbox.ID:    {table: "inboxes x", column: "x.name"},
	catalog.DimAgent.ID:    {table: "agents x", column: "x.name"},
	catalog.DimTeam.ID:     {table: "teams x", column: "x.name"},
	catalog.DimClosing.ID:  {table: "assignments x", column: "x.closing_reason", time: "x.created_at"},
	catalog.DimTask.ID:     {table: "tasks x", column: "x.name"},
	catalog.DimMarker.ID:   {table: "markers x", column: "x.name"},
	catalog.DimPage.ID:     {table: "page_visits x", column: "x.url", time: "x.visited_at"},
	catalog.DimPhrase.ID:   {table: "messages x", column: "nullif(" + catalog.Phrase("x.body") + ", '')", time: "x.created_at"},
}

// MaxDimensionValues bounds one listing of values.
const MaxDimensionValues = 1000

// DimensionValues builds the query listing a dimension's distinct values in
// the workspace, in order, narrowed to [from, to) where the values are events
// and from and to are both set. The second result is false for dimensions
// whose values are fixed (see catalog.FixedValues).
func DimensionValues(dimension string, workspace Workspace, from, to time.Time) (Statement, bool, error) {
	if d, _ := catalog.LookupDimension(dimension); d.FilterOnly {
		return Statement{}, false, fmt.Errorf("dimension %q only filters: it has no values to list", dimension)
	}
	src, ok := dimensionValues[dimension]
	if !ok {
		if _, fixed := catalog.FixedValues[dimension]; fixed {
			return Statement{}, false, nil
		}
		return Statement{}, false, fmt.Errorf("dimension %q has no values to list", dimension)
	}
	where := src.where(workspace, from, to)
	sqlText, args, err := psql.Select("DISTINCT " + src.column + " AS value").From(src.table).Where(where).
		OrderBy("value").Limit(MaxDimensionValues).ToSql()
	return Statement{SQL: sqlText, Args: args}, true, err
}

// ValuesOrder is how a listing of a dimension's values is ordered.
type ValuesOrder string

// The orders of a listing of values.
const (
	// OrderByName lists the values alphabetically.
	OrderByName ValuesOrder = "name"
	// OrderByRecent lists the values by their latest activity, newest first
	// (ties, and values without any activity, by name), so that a template
	// variable whose first value is its default starts on the latest one.
	OrderByRecent ValuesOrder = "recent"
)

// ParseValuesOrder reads the order a request asks for; empty is by name.
func ParseValuesOrder(text string) (ValuesOrder, error) {
	switch order := ValuesOrder(text); order {
	case "", OrderByName:
		return OrderByName, nil
	case OrderByRecent:
		return order, nil
	}
	return "", fmt.Errorf("order %q is unknown: use name or recent", text)
}

// recentActivity is, for the dimensions whose values are rows of a table,
// the SQL of a value's latest activity. The dimensions whose values are
// events use their time column instead; the others cannot be listed by
// recent activity.
var recentActivity = map[string]string{
	// A task's latest activity is its newest conversation.
	catalog.DimTask.ID: "(SELECT max(a.started_at) FROM conversations a WHERE a.workspace_id = x.workspace_id AND a.task_id = x.id)",
}

// DimensionValuesOrdered is DimensionValues in the given order. Ordering by
// recent activity works for the dimensions whose values are events (intents,
// languages, pages, ...) and for tasks; for the others it is an error.
func DimensionValuesOrdered(dimension string, workspace Workspace, from, to time.Time, order ValuesOrder) (Statement, bool, error) {
	byName, listed, err := DimensionValues(dimension, workspace, from, to)
	if err != nil || !listed || order != OrderByRecent {
		return byName, listed, err
	}
	src := dimensionValues[dimension]
	activity := src.time
	if activity == "" {
		activity = recentActivity[dimension]
	}
	if activity == "" {
		return Statement{}, true, fmt.Errorf("the values of %s have no activity to order by: use order=name", dimension)
	}
	where := src.where(workspace, from, to)
	sqlText, args, err := psql.Select(src.column+" AS value").From(src.table).Where(where).GroupBy(src.column).
		OrderBy("max("+activity+") DESC NULLS LAST", "value").Limit(MaxDimensionValues).ToSql()
	return Statement{SQL: sqlText, Args: args}, true, err
}
