package sqlbuild

import (
	"reflect"
	"slices"
	"strings"
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// The choice between a summary table (catalog.Summaries) and the raw rows is
// this one step, taken per metric before its SQL is built: a summary answers
// when the metric's source, aggregate, conditions, dimensions and the plan's
// buckets all fit it, and the SQL is then the metric's usual SQL over the
// summary's rows instead of the source's. Slotted summaries read whole slots
// from the table and the raw rows of the partial slots at the range's edges,
// so totals over any range are exact; a bucket boundary inside a slot (a
// minute bucket) sends the whole query to the raw rows.

// summaryKey names a summary's SQL: one table may summarise two sources.
type summaryKey struct {
	table  string
	source catalog.Source
}

// slotRows is a slotted summary's SQL: its rows between two slot edges, and
// the same columns from the raw rows of some time ranges (the edges).
type slotRows struct {
	alias  string
	slots  func(workspace string, from, to time.Time) sq.SelectBuilder
	edges  func(workspace string, ranges sq.Or) sq.SelectBuilder
	column string // the raw rows' time column the edge ranges apply to
	// group, when set, wraps the union of both into the rows the metric reads.
	group func(union sq.SelectBuilder, sc scope) sq.SelectBuilder
}

// Joins of the summaries' rows to the inboxes they name.
var (
	inboxOfMessageSlot = join{"inbox", "inboxes ib ON ib.workspace_id = ms.workspace_id AND ib.id = ms.inbox_id", false, nil}
	inboxOfContactSlot = join{"inbox", "inboxes ib ON ib.workspace_id = cs.workspace_id AND ib.id = cs.inbox_id", false, nil}
)

// messageEdgeRows are the raw messages of some time ranges, with their
// contact's platform and their conversation's inbox as the triggers copy them.
func messageEdgeRows(workspace string, ranges sq.Or, columns ...string) sq.SelectBuilder {
	return sq.Select(columns...).From("messages m").
		Join("contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id").
		Join("conversations mv ON mv.workspace_id = m.workspace_id AND mv.id = m.conversation_id").
		Where(workspaceFence("m.workspace_id", workspace)).Where(ranges)
}

// contactSlotRows are the contacts with an inbound message per slot, and the
// inbound raw messages at the edges.
var contactSlotRows = slotRows{
	alias: "cs", column: "m.created_at",
	slots: func(workspace string, from, to time.Time) sq.SelectBuilder {
		return sq.Select("cs.workspace_id", "cs.slot AS at", "cs.contact_id", "cs.platform", "cs.inbox_id").
			From("contact_slots cs").Where(workspaceFence("cs.workspace_id", workspace)).
			Where(sq.GtOrEq{"cs.slot": from}).Where(sq.Lt{"cs.slot": to})
	},
	edges: func(workspace string, ranges sq.Or) sq.SelectBuilder {
		return messageEdgeRows(workspace, ranges, "m.workspace_id", "m.created_at", "m.contact_id", "c.platform", "mv.inbox_id").
			Where(sq.Eq{"m.direction": "inbound"})
	},
}

// summaries are the summaries' SQL, each a source whose columns the metrics'
// summary aggregates, conditions and dimensions name.
var summaries = map[summaryKey]struct {
	source
	slotted *slotRows
}{
	{"message_slots", catalog.SourceMessages}: {
		source: source{workspace: "ms.workspace_id", time: "ms.at", dimensions: map[string]column{
			catalog.DimPlatform.ID: {expr: "ms.platform"},
			catalog.DimInbox.ID:    {expr: "ib.name", id: "ib.id", joins: []join{inboxOfMessageSlot}},
			catalog.DimSender.ID:   {expr: "ms.sender"},
		}},
		slotted: &slotRows{
			alias: "ms", column: "m.created_at",
			slots: func(workspace string, from, to time.Time) sq.SelectBuilder {
				return sq.Select("ms.workspace_id", "ms.slot AS at", "ms.platform", "ms.inbox_id", "ms.direction", "ms.sender", "ms.billable",
					"ms.messages", "ms.ai_cost", "ms.billing_cost").
					From("message_slots ms").Where(workspaceFence("ms.workspace_id", workspace)).
					Where(sq.GtOrEq{"ms.slot": from}).Where(sq.Lt{"ms.slot": to})
			},
			edges: func(workspace string, ranges sq.Or) sq.SelectBuilder {
				return messageEdgeRows(workspace, ranges, "m.workspace_id", "m.created_at", "c.platform", "mv.inbox_id", "m.direction", "m.sender",
					"m.billable", "1", "m.ai_cost", "m.billing_cost")
			},
		},
	},
	{"contact_slots", catalog.SourceMessages}: {
		source: source{workspace: "cs.workspace_id", time: "cs.at", dimensions: map[string]column{
			catalog.DimPlatform.ID: {expr: "cs.platform"},
			catalog.DimInbox.ID:    {expr: "ib.name", id: "ib.id", joins: []join{inboxOfContactSlot}},
		}},
		slotted: &contactSlotRows,
	},
	{"contact_slots", catalog.SourceActiveContacts}: {
		source: source{workspace: "ak.workspace_id", time: "ak.at", dimensions: map[string]column{
			catalog.DimPlatform.ID: {expr: "ak.platform"},
		}},
		slotted: &slotRows{
			alias: "ak", column: contactSlotRows.column, slots: contactSlotRows.slots, edges: contactSlotRows.edges,
			// One row per contact and bucket, stamped with its earliest slot
			// or edge message there, with the contact's first inbound message.
			group: func(union sq.SelectBuilder, sc scope) sq.SelectBuilder {
				return sq.Select("u.workspace_id", "u.contact_id", "u.platform", "min(u.at) AS at", "min(f.first_at) AS first_at").
					Column(sq.Expr("width_bucket(u.at, ?::timestamptz[]) AS k", sc.boundaries)).
					FromSelect(union, "u").
					LeftJoin("contact_first_inbound f ON f.workspace_id = u.workspace_id AND f.contact_id = u.contact_id").
					GroupBy("u.workspace_id", "u.contact_id", "u.platform", "k")
			},
		},
	},
	{"contact_first_inbound", catalog.SourceFirstInbound}: {
		source: source{
			from:      func(b sq.SelectBuilder) sq.SelectBuilder { return b.From("contact_first_inbound f") },
			workspace: "f.workspace_id", time: "f.first_at",
			dimensions: map[string]column{catalog.DimPlatform.ID: {expr: "f.platform"}},
		},
	},
	{"message_minutes", catalog.SourceMessageMinutes}: {
		source: source{workspace: "mm.workspace_id", time: "mm.minute", dimensions: map[string]column{}},
		slotted: &slotRows{
			alias: "mm", column: "m.created_at",
			slots: func(workspace string, from, to time.Time) sq.SelectBuilder {
				return sq.Select("mm.workspace_id", "mm.minute", "mm.messages AS n").
					From("message_minutes mm").Where(workspaceFence("mm.workspace_id", workspace)).
					Where(sq.GtOrEq{"mm.minute": from}).Where(sq.Lt{"mm.minute": to})
			},
			// The raw source's own minutes: the partial minute at the end of
			// the range counts only its messages inside the range.
			edges: func(workspace string, ranges sq.Or) sq.SelectBuilder {
				return sq.Select("m.workspace_id", "date_trunc('minute', m.created_at) AS minute", "count(*) AS n").
					From("messages m").Where(workspaceFence("m.workspace_id", workspace)).Where(ranges).
					GroupBy("m.workspace_id", "minute")
			},
		},
	},
}

// route is how one metric is answered: from a summary (its table named) or
// from the raw rows (table empty).
type route struct {
	table  string
	src    source
	metric catalog.Metric
}

// choose picks the summary that answers metric exactly for plan over sc, or
// the raw source. The metric it returns is the one to build: for a summary,
// its aggregate and conditions rewritten onto the summary's columns.
func choose(plan catalog.Plan, metric catalog.Metric, sc scope) (route, bool) {
	if sc.raw || metric.Quotient != nil || metric.Where != "" || len(metric.Present) > 0 || len(metric.AggregateArgs) > 0 && !paramFree(metric.AggregateArgs) {
		return route{}, false
	}
	for _, s := range catalog.Summaries {
		if s.Source != metric.Source {
			continue
		}
		if r, ok := fit(plan, metric, sc, s); ok {
			return r, true
		}
	}
	return route{}, false
}

// paramFree reports whether args hold no query parameter (only constants,
// which a summary's rows have already applied).
func paramFree(args []any) bool {
	for _, a := range args {
		if _, isParam := a.(catalog.Param); isParam {
			return false
		}
	}
	return true
}

// fit rewrites metric onto summary s when s answers it for plan over sc.
func fit(plan catalog.Plan, metric catalog.Metric, sc scope, s catalog.Summary) (route, bool) {
	aggregate, ok := s.Aggregates[metric.Aggregate]
	if !ok || metric.Cumulative && !s.Cumulative {
		return route{}, false
	}
	dims := []string{}
	if plan.GroupBy != "" {
		dims = append(dims, plan.GroupBy)
	}
	for _, f := range plan.Filters {
		dims = append(dims, f.Dimension)
	}
	for _, d := range dims {
		if !slices.Contains(s.Dimensions, d) {
			return route{}, false
		}
	}
	conditions := map[string]any{}
	for column, value := range metric.Conditions {
		if required, ok := s.Required[column]; ok {
			if !reflect.DeepEqual(required, value) {
				return route{}, false
			}
			continue
		}
		mapped, ok := s.Conditions[column]
		if !ok {
			return route{}, false
		}
		conditions[mapped] = value
	}
	for column := range s.Required {
		if _, ok := metric.Conditions[column]; !ok {
			return route{}, false
		}
	}
	// Every boundary between two buckets must be a slot edge; the range's
	// own ends may fall inside slots (their raw rows are read).
	if s.Grain > 0 {
		for _, b := range sc.boundaries[1 : len(sc.boundaries)-1] {
			if !b.Equal(b.Truncate(s.Grain)) {
				return route{}, false
			}
		}
	}
	impl, ok := summaries[summaryKey{s.Table, s.Source}]
	if !ok {
		return route{}, false
	}
	src := impl.source
	if impl.slotted != nil {
		rows := *impl.slotted
		src.fromRange = func(b sq.SelectBuilder, sc scope) sq.SelectBuilder { return rows.from(b, sc, s.Grain) }
	}
	rewritten := metric
	rewritten.Aggregate, rewritten.AggregateArgs = aggregate, nil
	rewritten.Conditions = conditions
	rewritten.Dimensions = s.Dimensions
	return route{table: s.Table, src: src, metric: rewritten}, true
}

// from is the slotted summary's rows for sc: the whole slots inside the range
// from the table, and the raw rows of the partial slots at either end.
// (time.Time.Truncate works on absolute time, so slots are UTC-aligned.)
func (r slotRows) from(b sq.SelectBuilder, sc scope, grain time.Duration) sq.SelectBuilder {
	from, to := sc.from(), sc.to()
	first := from.Truncate(grain) // the first whole slot's start
	if first.Before(from) {
		first = first.Add(grain)
	}
	last := to.Truncate(grain) // the end of the last whole slot
	if last.Before(first) {    // the range lies inside one slot: all of it raw
		first, last = to, to
	}
	union := r.slots(sc.workspace, first, last)
	var edges sq.Or
	if from.Before(first) {
		edges = append(edges, sq.And{sq.GtOrEq{r.column: from}, sq.Lt{r.column: first}})
	}
	if last.Before(to) {
		edges = append(edges, sq.And{sq.GtOrEq{r.column: last}, sq.Lt{r.column: to}})
	}
	if len(edges) > 0 {
		union = union.SuffixExpr(sq.ConcatExpr("UNION ALL ", r.edges(sc.workspace, edges)))
	}
	if r.group != nil {
		return b.FromSelect(r.group(union, sc), r.alias)
	}
	return b.FromSelect(union, r.alias)
}

// usedComment is the SQL comment that leads a statement, naming the summary
// tables it reads or saying it reads the raw rows, for the query inspector.
func usedComment(plan catalog.Plan, metric catalog.Metric, sc scope) string {
	var used []string
	add := func(name string) {
		if !slices.Contains(used, name) {
			used = append(used, name)
		}
	}
	parts := []catalog.Metric{metric}
	if metric.Quotient != nil {
		parts = parts[:0]
		for _, id := range []string{metric.Quotient.Dividend, metric.Quotient.Divisor} {
			if m, ok := catalog.Lookup(id); ok {
				parts = append(parts, m)
			}
		}
	}
	for _, m := range parts {
		if r, ok := choose(plan, m, sc); ok {
			add("summary: " + r.table)
		} else {
			add("raw")
		}
	}
	return "/* " + strings.Join(used, ", ") + " */"
}
