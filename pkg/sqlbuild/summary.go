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
// summary's rows instead of the source's. Slotted summaries read each bucket
// as whole UTC days, then whole hours (UTC, or shifted 15, 30 or 45 minutes
// where a summary keeps such hours and the buckets' edges fall there), then
// slots from their level tables, and the raw rows of the partial slots at the
// range's edges, so totals over any range are exact; a bucket boundary
// inside a slot (a minute bucket) sends the whole query to the raw rows.

// summaryKey names a summary's SQL: one table may summarise two sources.
type summaryKey struct {
	table  string
	source catalog.Source
}

// slotRows is a slotted summary's SQL: its rows at each of its levels (the
// 15-minute slots and their UTC hours and days, or the minutes) over some
// spans of time, and the same columns from the raw rows of some time ranges
// (the edges). Every level's rows have the same columns, the time first.
type slotRows struct {
	alias string
	// levels go from the coarsest to the finest, each grain a multiple of
	// the next; the finest is the catalog's Grain.
	levels []level
	// edges are the raw rows of some time ranges as summary rows. reads
	// says which columns the metric reads (by name): edges may give NULL
	// for the others, which spares their joins and probes, as PostgreSQL
	// computes every column of a UNION ALL's branches, read or not.
	edges  func(workspace Workspace, ranges sq.Or, reads func(column string) bool) sq.SelectBuilder
	column string // the raw rows' time column the edge ranges apply to
	// group, when set, wraps the union of both into the rows the metric
	// reads.
	group func(union sq.SelectBuilder, sc scope) sq.SelectBuilder
	// shiftedHours, when set, is a table of the same rows per hour starting
	// 15, 30 or 45 minutes past a UTC hour (its column shift, in minutes):
	// buckets of a zone whose offset is not whole hours read those instead
	// of the UTC hours and their split hours' slots (see candidates).
	shiftedHours string
	// stampedEdges says that the edges' rows carry the start of their
	// unit, which may lie before the range's start (the minute of a range
	// that starts inside one): the statement then keeps its own bounds on
	// the rows, which leave such a row out, as they do the raw source's.
	stampedEdges bool
}

// level is one table of a slotted summary: rows of whole units of grain,
// UTC-aligned or shift past that, stamped with the unit's start in column.
type level struct {
	grain time.Duration
	// shift, when not zero, is how far past the UTC-aligned units this
	// level's units start, and the value of the table's shift column (in
	// minutes) that keeps them: the shifted hours.
	shift   time.Duration
	table   string
	column  string   // the table's time column, a unit's start
	stamp   string   // the row's time in the union when not column
	as      string   // the name the union gives the row's time
	columns []string // the other columns, in the union's order
}

// unitLevels are a slotted summary's tables of whole UTC days, hours and
// 15-minute slots, coarsest first (prefix_days, prefix_hours, prefix_slots,
// each stamped with its unit's start in day, hour or slot), with the same
// other columns.
func unitLevels(prefix string, columns ...string) []level {
	return []level{
		{grain: 24 * time.Hour, table: prefix + "_days", column: "day", as: "at", columns: columns},
		{grain: time.Hour, table: prefix + "_hours", column: "hour", as: "at", columns: columns},
		{grain: catalog.SlotLength, table: prefix + "_slots", column: "slot", as: "at", columns: columns},
	}
}

// span is a half-open time range [from, to).
type span struct{ from, to time.Time }

// grid is the units of a level: grain long, each starting shift past a
// multiple of grain since the zero time (UTC-aligned when shift is 0).
type grid struct{ grain, shift time.Duration }

// floor is the start of the grid's unit that holds t.
func (g grid) floor(t time.Time) time.Time {
	return floorTo(t.Add(-g.shift), g.grain).Add(g.shift)
}

// grid is the level's units.
func (l level) grid() grid { return grid{l.grain, l.shift} }

// rows is the level's rows inside spans: one range scan of its (workspace,
// time) key for a single span; else the start of every unit of the spans as
// one array parameter, so that a level read in many separate pieces (the
// hours of each day of a zone on a quarter hour) still reads only those, and
// the planner estimates its rows as well as for constants. Spans of several
// units each are read by one range probe per span instead (see
// spanProbeUnits).
func (l level) rows(workspace Workspace, spans []span) sq.SelectBuilder {
	stamp := l.column
	if l.stamp != "" {
		stamp = l.stamp
	}
	b := sq.Select(append([]string{"s.workspace_id", "s." + stamp + " AS " + l.as}, prefixed("s.", l.columns)...)...).
		From(l.table + " s").Where(workspaceFence("s.workspace_id", workspace))
	if l.shift != 0 {
		b = b.Where(sq.Eq{"s.shift": int(l.shift / time.Minute)})
	}
	if len(spans) == 1 {
		return b.Where(sq.GtOrEq{"s." + l.column: spans[0].from}).Where(sq.Lt{"s." + l.column: spans[0].to})
	}
	var count time.Duration
	for _, s := range spans {
		count += s.to.Sub(s.from) / l.grain
	}
	if count > maxListedUnits {
		// A running total reads whole days from the beginning: listing
		// them would send some 740,000 days, which PostgreSQL spends most
		// of a second planning. Each span's range is exact as well.
		ranges := sq.Or{}
		for _, s := range spans {
			ranges = append(ranges, sq.And{sq.GtOrEq{"s." + l.column: s.from}, sq.Lt{"s." + l.column: s.to}})
		}
		return b.Where(ranges)
	}
	if count >= spanProbeUnits*time.Duration(len(spans)) {
		froms, tos := make([]time.Time, len(spans)), make([]time.Time, len(spans))
		for i, s := range spans {
			froms[i], tos[i] = s.from, s.to
		}
		// The spans' overall bounds as well: the probes' only constant
		// bounds, which the planner needs to read the level by its key.
		first, last := slices.MinFunc(spans, func(a, b span) int { return a.from.Compare(b.from) }).from,
			slices.MaxFunc(spans, func(a, b span) int { return a.to.Compare(b.to) }).to
		return b.JoinClause(sq.Expr("JOIN unnest(?::timestamptz[], ?::timestamptz[]) AS ls(from_at, to_at)"+
			" ON s."+l.column+" >= ls.from_at AND s."+l.column+" < ls.to_at", froms, tos)).
			Where(sq.GtOrEq{"s." + l.column: first}).Where(sq.Lt{"s." + l.column: last})
	}
	units := make([]time.Time, 0, count)
	for _, s := range spans {
		for u := s.from; u.Before(s.to); u = u.Add(l.grain) {
			units = append(units, u)
		}
	}
	return b.Where(sq.Expr("s."+l.column+" = ANY(?::timestamptz[])", units))
}

// maxListedUnits is the most unit starts a level's rows list in one array
// parameter; past it, the spans' ranges select them (see rows). 100 days of
// slots are 9,600.
const maxListedUnits = 10_000

// spanProbeUnits is the fewest units per span, on average, for which a
// level's rows are read by one range probe per span (a join to the spans'
// bounds) rather than one probe per listed unit. The slots of the edge hours
// of 3-hour buckets at a zone on a half or quarter hour are 722 spans of 4
// slots over 90 days: 722 probes instead of 2,884, and no planning of a
// 2,884-value array (the expense per dialogue by inbox there, 66 ms in
// PostgreSQL before, 55 after). PostgreSQL estimates such a join at the
// spans times a default share of the table (5.2 million rows there for
// 21,678), but a join on ranges can only be a nested loop, whose probes of
// the table's key it prices far below a scan of the table per span at any
// size, and the statements above group the rows by hash (their groups are
// estimated from the buckets): no plan of the panels and heavy metrics
// measured at scale M changed but for these reads.
const spanProbeUnits = 2

func prefixed(prefix string, names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = prefix + n
	}
	return out
}

// floorTo is t.Truncate(g) for a grain g of whole seconds that divides a
// day (the summaries' days, hours and slots): t rounded down to a multiple
// of g since the zero time, whose distance to the Unix epoch is whole days.
// decompose rounds every bucket's ends at every level, and Truncate's
// general division was most of a statement's building over many buckets.
func floorTo(t time.Time, g time.Duration) time.Time {
	if g <= 0 || g%time.Second != 0 || (24*time.Hour)%g != 0 {
		return t.Truncate(g)
	}
	unit := int64(g / time.Second)
	rest := t.Unix() % unit
	if rest < 0 {
		rest += unit
	}
	return t.Add(-time.Duration(rest)*time.Second - time.Duration(t.Nanosecond()))
}

// decompose splits each bucket between consecutive boundaries into the
// largest whole units of the grids inside it (coarsest first: whole UTC
// days, then whole hours, UTC or shifted, then slots), and leaves the rest
// raw. Adjacent pieces of one level merge, so a level of a zone on whole
// hours is one span.
func decompose(boundaries []time.Time, grids []grid) (levels [][]span, raw []span) {
	levels = make([][]span, len(grids))
	add := func(spans []span, from, to time.Time) []span {
		if !from.Before(to) {
			return spans
		}
		if n := len(spans); n > 0 && spans[n-1].to.Equal(from) {
			spans[n-1].to = to
			return spans
		}
		return append(spans, span{from, to})
	}
	var split func(from, to time.Time, level int)
	split = func(from, to time.Time, level int) {
		if !from.Before(to) {
			return
		}
		if level == len(grids) {
			raw = add(raw, from, to)
			return
		}
		g := grids[level]
		first := g.floor(from) // the first whole unit's start
		if first.Before(from) {
			first = first.Add(g.grain)
		}
		last := g.floor(to) // the end of the last whole unit
		if !first.Before(last) {
			split(from, to, level+1)
			return
		}
		split(from, first, level+1)
		levels[level] = add(levels[level], first, last)
		split(last, to, level+1)
	}
	for i := 0; i+1 < len(boundaries); i++ {
		split(boundaries[i], boundaries[i+1], 0)
	}
	return levels, raw
}

// decompositions keeps what decompose made of one statement's bucket
// boundaries: weighing a summary, naming it in the statement's comment and
// reading it each need the same pieces, and a quotient's two parts read
// summaries of the same grids. Over 720 buckets whose edges fall inside
// hours, splitting them again each time was most of building the statement.
type decompositions struct{ done []decomposition }

// decomposition is decompose's answer for boundaries and grids.
type decomposition struct {
	boundaries []time.Time
	grids      []grid
	levels     [][]span
	raw        []span
}

// decompose is decompose(sc.boundaries, grids), split once per statement
// when sc keeps its decompositions. The pieces are shared: callers read
// them and never write into them.
func (sc scope) decompose(grids []grid) (levels [][]span, raw []span) {
	if sc.pieces == nil {
		return decompose(sc.boundaries, grids)
	}
	for _, d := range sc.pieces.done {
		if slices.Equal(d.grids, grids) && slices.EqualFunc(d.boundaries, sc.boundaries, time.Time.Equal) {
			return d.levels, d.raw
		}
	}
	levels, raw = decompose(sc.boundaries, grids)
	sc.pieces.done = append(sc.pieces.done, decomposition{sc.boundaries, grids, levels, raw})
	return levels, raw
}

// gridsOf is the units of levels.
func gridsOf(levels []level) []grid {
	grids := make([]grid, len(levels))
	for i, l := range levels {
		grids[i] = l.grid()
	}
	return grids
}

// units is how many summary units spans hold at each level: the rows a
// decomposition reads, for each key that has some.
func units(levels []level, spans [][]span) int64 {
	var n int64
	for i, l := range levels {
		for _, s := range spans[i] {
			n += int64(s.to.Sub(s.from) / l.grain)
		}
	}
	return n
}

// candidates are the levels r may read for sc: all of them, or only the
// finest when sc asks for it; with shifted hours, those instead of the
// UTC hours when the buckets' boundaries fall 15, 30 or 45 minutes past an
// hour and the pieces are then fewer (over 90 days of 3-hour buckets at
// +05:30, three shifted hours per bucket instead of two hours and the four
// slots of each split hour).
func (r slotRows) candidates(sc scope) []level {
	if sc.finest {
		return r.levels[len(r.levels)-1:]
	}
	if r.shiftedHours == "" {
		return r.levels
	}
	best := r.levels
	var fewest int64 = -1
	var tried []time.Duration
	for _, b := range sc.boundaries {
		shift := b.Sub(floorTo(b, time.Hour))
		if shift == 0 || shift%catalog.SlotLength != 0 || slices.Contains(tried, shift) {
			continue
		}
		tried = append(tried, shift)
		if fewest < 0 {
			all, _ := sc.decompose(gridsOf(r.levels))
			fewest = units(r.levels, all)
		}
		shifted := slices.Clone(r.levels)
		for i, l := range shifted {
			if l.grain == time.Hour {
				l.shift, l.table = shift, r.shiftedHours
				shifted[i] = l
			}
		}
		all, _ := sc.decompose(gridsOf(shifted))
		if n := units(shifted, all); n < fewest {
			best, fewest = shifted, n
		}
	}
	return best
}

// plan is the levels r reads for sc and their spans, and the raw ranges.
func (r slotRows) plan(sc scope) (levels []level, spans [][]span, raw []span) {
	candidates := r.candidates(sc)
	all, raw := sc.decompose(gridsOf(candidates))
	for i, s := range all {
		if len(s) > 0 {
			levels, spans = append(levels, candidates[i]), append(spans, s)
		}
	}
	if len(levels) == 0 { // the range lies inside one unit of the finest level: all of it raw
		levels, spans = []level{r.levels[len(r.levels)-1]}, [][]span{{{sc.to(), sc.to()}}}
	}
	return levels, spans, raw
}

// tables names the tables r reads for sc, coarsest first.
func (r slotRows) tables(sc scope) []string {
	levels, _, raw := r.plan(sc)
	names := make([]string, 0, len(levels)+1)
	for _, l := range levels {
		names = append(names, l.table)
	}
	if _, ok := r.endUnit(sc, raw); ok {
		if finest := r.levels[len(r.levels)-1].table; !slices.Contains(names, finest) {
			names = append(names, finest)
		}
	}
	return names
}

// endUnit is the unit of r's finest level that holds the range's end, when
// the range covers it from its start and ends inside it, as Grafana's
// rounded ranges do ("this month" ends at 23:59:59.999, one millisecond
// before a slot's end) and ranges that end now (the current slot's rest is
// still empty): the unit's summary rows are then the same rows as the raw
// ones up to the end whenever nothing lies in the unit after it (see union).
// raw is r.plan's raw ranges for sc.
func (r slotRows) endUnit(sc scope, raw []span) (span, bool) {
	if len(raw) == 0 {
		return span{}, false
	}
	end := raw[len(raw)-1]
	grain := r.levels[len(r.levels)-1].grain
	if !end.to.Equal(sc.to()) || !end.from.Equal(end.from.Truncate(grain)) || end.to.Sub(end.from) >= grain {
		return span{}, false
	}
	return span{end.from, end.from.Add(grain)}, true
}

// beginning is before every row of the store and on every level's edge: a
// running total's rows start there.
var beginning = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)

// Joins of the summaries' rows to the inboxes, flows and tasks they name.
var (
	inboxOfMessageSlot      = join{"inbox", "inboxes ib ON ib.workspace_id = ms.workspace_id AND ib.id = ms.inbox_id", false, nil}
	inboxOfMessageInboxSlot = join{"inbox", "inboxes ib ON ib.workspace_id = mx.workspace_id AND ib.id = mx.inbox_id", false, nil}
	// A message of a conversation without a task has none: a left join, as for the raw rows.
	taskOfMessageSlot = join{"task", "tasks tk ON tk.workspace_id = ms.workspace_id AND tk.id = ms.task_id", true, nil}
	// The same for the rows per task only (migration 43).
	taskOfMessageTaskSlot = join{"task", "tasks tk ON tk.workspace_id = mt.workspace_id AND tk.id = mt.task_id", true, nil}
	inboxOfContactSlot    = join{"inbox", "inboxes ib ON ib.workspace_id = cs.workspace_id AND ib.id = cs.inbox_id", false, nil}
	// A trigger outside a conversation has no inbox: a left join, as for the raw rows.
	inboxOfFlowTriggerRow  = join{"inbox", "inboxes ib ON ib.workspace_id = fs.workspace_id AND ib.id = fs.inbox_id", true, nil}
	flowOfFlowTriggerRow   = join{"flow", "flows fl ON fl.workspace_id = fs.workspace_id AND fl.id = fs.flow_id", false, nil}
	inboxOfFirstInboundRow = join{"inbox", "inboxes ib ON ib.workspace_id = fi.workspace_id AND ib.id = fi.inbox_id", false, nil}
)

// messageEdgeRows are the raw messages of some time ranges, with their
// contact's platform and their conversation's inbox as the triggers copy them.
func messageEdgeRows(workspace Workspace, ranges sq.Or, columns ...string) sq.SelectBuilder {
	return messageEdgeRowsJoining(workspace, ranges, true, true, columns...)
}

// messageEdgeRowsJoining are the raw messages of some time ranges, joined to
// their contact (c) only when contact is set and to their conversation (mv)
// only when conversation is: a summary's edges that need neither spare
// both joins.
func messageEdgeRowsJoining(workspace Workspace, ranges sq.Or, contact, conversation bool, columns ...string) sq.SelectBuilder {
	b := sq.Select(columns...).From("messages m")
	if contact {
		b = b.Join("contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id")
	}
	if conversation {
		b = b.Join("conversations mv ON mv.workspace_id = m.workspace_id AND mv.id = m.conversation_id")
	}
	return b.Where(workspaceFence("m.workspace_id", workspace)).Where(ranges)
}

// contactSlotRows are the contacts with an inbound message per day, hour and
// slot, and the inbound raw messages at the edges.
var contactSlotRows = slotRows{
	alias: "cs", column: "m.created_at",
	levels: unitLevels("contact", "contact_id", "platform", "inbox_id"),
	edges: func(workspace Workspace, ranges sq.Or, _ func(string) bool) sq.SelectBuilder {
		return messageEdgeRows(workspace, ranges, "m.workspace_id", "m.created_at", "m.contact_id", "c.platform", "mv.inbox_id").
			Where(sq.Eq{"m.direction": "inbound"})
	},
}

// firstInboundRows are the new contacts per day, hour and slot, and the
// first inbound messages themselves at the edges.
var firstInboundRows = slotRows{
	alias: "fi", column: "f.first_at",
	levels: unitLevels("first_inbound", "platform", "inbox_id", "contacts"),
	edges: func(workspace Workspace, ranges sq.Or, _ func(string) bool) sq.SelectBuilder {
		return sq.Select("f.workspace_id", "f.first_at", "f.platform", "f.inbox_id", "1").From("contact_first_inbound f").
			Where(workspaceFence("f.workspace_id", workspace)).Where(ranges)
	},
}

// summaryImpl is one summary's SQL: its rows as a source, and for a slotted
// summary its levels and edges.
type summaryImpl struct {
	source
	slotted *slotRows
}

// summaries are the summaries' SQL, each a source whose columns the metrics'
// summary aggregates, conditions and dimensions name.
var summaries = map[summaryKey]summaryImpl{
	{"message_slots", catalog.SourceMessages}: {
		source: source{workspace: "ms.workspace_id", time: "ms.at", dimensions: map[string]column{
			catalog.DimPlatform.ID: {expr: "ms.platform"},
			catalog.DimInbox.ID:    namedBy("ms.inbox_id", inboxOfMessageSlot),
			catalog.DimSender.ID:   {expr: "ms.sender"},
			catalog.DimTask.ID:     namedBy("ms.task_id", taskOfMessageSlot),
		}},
		slotted: &slotRows{
			alias: "ms", column: "m.created_at",
			levels: unitLevels("message", "platform", "inbox_id", "direction", "sender", "billable", "messages", "ai_cost", "billing_cost", "task_id"),
			// The raw messages, joined to their contact and conversation
			// only when the metric reads the platform, or the inbox or task.
			edges: func(workspace Workspace, ranges sq.Or, reads func(string) bool) sq.SelectBuilder {
				platform, conversation := reads("platform"), reads("inbox_id") || reads("task_id")
				return messageEdgeRowsJoining(workspace, ranges, platform, conversation, "m.workspace_id", "m.created_at",
					either(platform, "c.platform", "NULL::text"), either(conversation, "mv.inbox_id", "NULL::bigint"),
					"m.direction", "m.sender", "m.billable", "1", "m.ai_cost", "m.billing_cost", either(conversation, "mv.task_id", "NULL::bigint"))
			},
		},
	},
	// The same sums per platform and inbox only (migration 36); the raw
	// messages at the edges joined to their contact and conversation only
	// when the metric reads the platform or the inbox.
	{"message_inbox_slots", catalog.SourceMessages}: {
		source: source{workspace: "mx.workspace_id", time: "mx.at", dimensions: map[string]column{
			catalog.DimPlatform.ID: {expr: "mx.platform"},
			catalog.DimInbox.ID:    namedBy("mx.inbox_id", inboxOfMessageInboxSlot),
		}},
		slotted: &slotRows{
			alias: "mx", column: "m.created_at",
			levels:       unitLevels("message_inbox", "platform", "inbox_id", "messages", "ai_cost", "billing_cost"),
			shiftedHours: "message_inbox_shifted_hours", // migration 41
			edges: func(workspace Workspace, ranges sq.Or, reads func(string) bool) sq.SelectBuilder {
				platform, inbox := reads("platform"), reads("inbox_id")
				return messageEdgeRowsJoining(workspace, ranges, platform, inbox, "m.workspace_id", "m.created_at",
					either(platform, "c.platform", "NULL::text"), either(inbox, "mv.inbox_id", "NULL::bigint"), "1", "m.ai_cost", "m.billing_cost")
			},
		},
	},
	// The same sums per task only (migration 43); the raw messages at the
	// edges joined to their conversation for its task.
	{"message_task_slots", catalog.SourceMessages}: {
		source: source{workspace: "mt.workspace_id", time: "mt.at", dimensions: map[string]column{
			catalog.DimTask.ID: namedBy("mt.task_id", taskOfMessageTaskSlot),
		}},
		slotted: &slotRows{
			alias: "mt", column: "m.created_at",
			levels: unitLevels("message_task", "task_id", "messages", "ai_cost", "billing_cost"),
			edges: func(workspace Workspace, ranges sq.Or, reads func(string) bool) sq.SelectBuilder {
				task := reads("task_id")
				return messageEdgeRowsJoining(workspace, ranges, false, task, "m.workspace_id", "m.created_at",
					either(task, "mv.task_id", "NULL::bigint"), "1", "m.ai_cost", "m.billing_cost")
			},
		},
	},
	// The same sums per direction, sender and billing only (migration 44);
	// the raw messages at the edges, joined to nothing.
	{"message_sender_slots", catalog.SourceMessages}: {
		source: source{workspace: "mz.workspace_id", time: "mz.at", dimensions: map[string]column{
			catalog.DimSender.ID: {expr: "mz.sender"},
		}},
		slotted: &slotRows{
			alias: "mz", column: "m.created_at",
			levels: unitLevels("message_sender", "direction", "sender", "billable", "messages", "ai_cost", "billing_cost"),
			edges: func(workspace Workspace, ranges sq.Or, _ func(string) bool) sq.SelectBuilder {
				return messageEdgeRowsJoining(workspace, ranges, false, false, "m.workspace_id", "m.created_at",
					"m.direction", "m.sender", "m.billable", "1", "m.ai_cost", "m.billing_cost")
			},
		},
	},
	{"intent_slots", catalog.SourceMessages}: {
		source: source{workspace: "mi.workspace_id", time: "mi.at", dimensions: map[string]column{
			catalog.DimIntent.ID:   {expr: "mi.intent"},
			catalog.DimPlatform.ID: {expr: "mi.platform"},
			catalog.DimLanguage.ID: {expr: "mi.language"},
		}},
		slotted: &slotRows{
			alias: "mi", column: "m.created_at",
			levels: unitLevels("intent", "intent", "platform", "language", "messages"),
			// The raw messages the summary counts, with their contact's platform.
			edges: func(workspace Workspace, ranges sq.Or, _ func(string) bool) sq.SelectBuilder {
				return sq.Select("m.workspace_id", "m.created_at", "m.intent", "c.platform", "m.language", "1").From("messages m").
					Join("contacts c ON c.workspace_id = m.workspace_id AND c.id = m.contact_id").
					Where(workspaceFence("m.workspace_id", workspace)).Where(ranges).
					Where(sq.Eq{"m.direction": "inbound"}).Where(sq.NotEq{"m.intent": nil})
			},
		},
	},
	// The same counts per intent only (migration 39); the raw messages at
	// the edges need no contact.
	{"intent_total_slots", catalog.SourceMessages}: {
		source: source{workspace: "mt.workspace_id", time: "mt.at", dimensions: map[string]column{
			catalog.DimIntent.ID: {expr: "mt.intent"},
		}},
		slotted: &slotRows{
			alias: "mt", column: "m.created_at",
			levels: unitLevels("intent_total", "intent", "messages"),
			edges: func(workspace Workspace, ranges sq.Or, _ func(string) bool) sq.SelectBuilder {
				return sq.Select("m.workspace_id", "m.created_at", "m.intent", "1").From("messages m").
					Where(workspaceFence("m.workspace_id", workspace)).Where(ranges).
					Where(sq.Eq{"m.direction": "inbound"}).Where(sq.NotEq{"m.intent": nil})
			},
		},
	},
	{"flow_trigger_slots", catalog.SourceFlowTriggers}: {
		source: source{workspace: "fs.workspace_id", time: "fs.at", dimensions: map[string]column{
			catalog.DimFlow.ID:  namedBy("fs.flow_id", flowOfFlowTriggerRow),
			catalog.DimInbox.ID: namedBy("fs.inbox_id", inboxOfFlowTriggerRow),
		}},
		slotted: &slotRows{
			alias: "fs", column: "ft.triggered_at",
			levels: unitLevels("flow_trigger", "flow_id", "inbox_id", "triggers"),
			// The raw triggers, with their conversation's inbox (none outside one).
			edges: func(workspace Workspace, ranges sq.Or, _ func(string) bool) sq.SelectBuilder {
				return sq.Select("ft.workspace_id", "ft.triggered_at", "ft.flow_id", "iv.inbox_id", "1").From("flow_triggers ft").
					LeftJoin("conversations iv ON iv.workspace_id = ft.workspace_id AND iv.id = ft.conversation_id").
					Where(workspaceFence("ft.workspace_id", workspace)).Where(ranges)
			},
		},
	},
	{"agent_message_slots", catalog.SourceMessages}: agentMessageSummary,
	{"contact_slots", catalog.SourceMessages}: {
		source: source{workspace: "cs.workspace_id", time: "cs.at", dimensions: map[string]column{
			catalog.DimPlatform.ID: {expr: "cs.platform"},
			catalog.DimInbox.ID:    namedBy("cs.inbox_id", inboxOfContactSlot),
		}},
		slotted: &contactSlotRows,
	},
	{"contact_first_inbound", catalog.SourceFirstInbound}: {
		source: source{workspace: "fi.workspace_id", time: "fi.at", dimensions: map[string]column{
			catalog.DimPlatform.ID: {expr: "fi.platform"},
			catalog.DimInbox.ID:    namedBy("fi.inbox_id", inboxOfFirstInboundRow),
		}},
		slotted: &firstInboundRows,
	},
	{"conversation_slots", catalog.SourceConversations}:       conversationSummary,
	{"conversation_inbox_slots", catalog.SourceConversations}: conversationInboxSummary,
	{"conversation_task_slots", catalog.SourceConversations}:  conversationTaskSummary,
	{"phrase_hours", catalog.SourceMessages}: {
		source: source{workspace: "ps.workspace_id", time: "ps.at", dimensions: map[string]column{
			catalog.DimPhrase.ID:   {expr: "ps.phrase"},
			catalog.DimPlatform.ID: {expr: "ps.platform"},
			catalog.DimSender.ID:   {expr: "ps.sender"},
		}},
		slotted: &phraseRows,
	},
	{"phrase_direction_hours", catalog.SourceMessages}: {
		source: source{workspace: "pd.workspace_id", time: "pd.at", dimensions: map[string]column{
			catalog.DimPhrase.ID: {expr: "pd.phrase"},
		}},
		slotted: &phraseDirectionRows,
	},
	// The answered runs as migration 11 keeps them, under the raw rows'
	// alias, with the raw rows' joins to the agent and the contact.
	{"response_runs", catalog.SourceResponseRuns}: {
		source: source{
			from:       func(b sq.SelectBuilder) sq.SelectBuilder { return b.From("response_runs rr") },
			workspace:  "rr.workspace_id",
			time:       "rr.replied_at",
			dimensions: responseRunDimensions,
		},
	},
	{"message_minutes", catalog.SourceMessageMinutes}: {
		source: source{workspace: "mm.workspace_id", time: "mm.minute", dimensions: map[string]column{}},
		slotted: &slotRows{
			alias: "mm", column: "m.created_at",
			// Whole hours are their busiest minute (the earlier of two as
			// busy): the busiest minute of a bucket is among them and the
			// minutes of its partial hours.
			levels: []level{
				{grain: time.Hour, table: "message_minute_peaks", column: "hour", stamp: "peak_minute", as: "minute", columns: []string{"messages AS n"}},
				{grain: time.Minute, table: "message_minutes", column: "minute", as: "minute", columns: []string{"messages AS n"}},
			},
			// The raw source's own minutes: the partial minute at the end of
			// the range counts only its messages inside the range, and the one
			// at its start none (its minute starts before the range).
			stampedEdges: true,
			edges: func(workspace Workspace, ranges sq.Or, _ func(string) bool) sq.SelectBuilder {
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
	table string
	// tables are the tables read: a slotted summary's levels in use.
	tables []string
	src    source
	metric catalog.Metric
}

// choose picks the summary that answers metric exactly for plan over sc, or
// the raw source. The metric it returns is the one to build: for a summary,
// its aggregate and conditions rewritten onto the summary's columns.
func choose(plan catalog.Plan, metric catalog.Metric, sc scope) (route, bool) {
	if sc.raw || metric.Quotient != nil || len(metric.WhereArgs) > 0 {
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
	if !ok || metric.Cumulative && !s.Cumulative || metric.Where != s.Where {
		return route{}, false
	}
	args, ok := summaryArgs(aggregate, metric.AggregateArgs)
	if !ok {
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
	if s.SplitBy != "" && !splitOnce(plan, s.SplitBy) {
		return route{}, false
	}
	// A metric's present columns: those set in every row the summary counts
	// (PresentInEvery) are met already, and a metric must require each of
	// them, or it would keep rows the summary does not count; the others are
	// columns the summary keeps (Present: not null there too) or states
	// (States: a boolean column of the summary's).
	for _, c := range s.PresentInEvery {
		if !slices.Contains(metric.Present, c) {
			return route{}, false
		}
	}
	var present []string
	conditions := map[string]any{}
	for _, c := range metric.Present {
		switch {
		case slices.Contains(s.PresentInEvery, c):
		case s.Present[c] != "":
			present = append(present, s.Present[c])
		case s.States[c] != "":
			conditions[s.States[c]] = true
		default:
			return route{}, false
		}
	}
	for column, value := range metric.Conditions {
		if state, isState := s.States[column]; isState && value == nil {
			conditions[state] = false // the column unset: the state's false
			continue
		}
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
			if !b.Equal(floorTo(b, s.Grain)) {
				return route{}, false
			}
		}
	}
	impl, ok := summaries[keyOf(s)]
	if !ok {
		return route{}, false
	}
	src, tables := impl.source, []string{s.Table}
	rewritten := metric
	rewritten.Aggregate, rewritten.AggregateArgs = aggregate, args
	rewritten.Conditions, rewritten.Present = conditions, present
	rewritten.Where = s.Keep // the summary's rows meet the metric's own already (see catalog.Summary)
	rewritten.Dimensions = s.Dimensions
	if impl.slotted != nil {
		rows := *impl.slotted
		reads := columnsRead(rewritten, src, dims, rows.alias)
		// A running total also reads every row before the range (its
		// base, bucket 0): from the beginning, in whole days.
		widen := func(sc scope) scope {
			if metric.Cumulative {
				sc.boundaries = append([]time.Time{beginning}, sc.boundaries...)
			}
			sc.reads = reads
			return sc
		}
		src.fromRange = func(b sq.SelectBuilder, sc scope) sq.SelectBuilder { return rows.from(b, widen(sc)) }
		src.bounded = !rows.stampedEdges
		tables = rows.tables(widen(sc))
	}
	return route{table: s.Table, tables: tables, src: src, metric: rewritten}, true
}

// splitOnce reports whether plan counts each value of dimension apart: it
// groups by it, or keeps exactly one of its values (and no filter excludes
// any), so that a count split by its values adds up to the raw one.
func splitOnce(plan catalog.Plan, dimension string) bool {
	if plan.GroupBy == dimension {
		return true
	}
	kept := 0
	for _, f := range plan.Filters {
		if f.Dimension != dimension {
			continue
		}
		if f.Exclude || len(slices.Compact(slices.Sorted(slices.Values(f.Values)))) != 1 {
			return false
		}
		kept++
	}
	return kept > 0
}

// columnsRead says which of a summary's columns (named under alias) the
// rewritten metric reads: in its aggregate, its conditions and present
// columns, and the expressions and joins of the dimensions it groups and
// filters by. A dimension that filters through a function of its own cannot
// be looked into, so with one every column counts as read.
func columnsRead(metric catalog.Metric, src source, dims []string, alias string) func(column string) bool {
	texts := []string{metric.Aggregate, metric.Where}
	for column := range metric.Conditions {
		texts = append(texts, column)
	}
	texts = append(texts, metric.Present...)
	for _, d := range dims {
		c := src.dimensions[d]
		if c.match != nil {
			return func(string) bool { return true }
		}
		texts = append(texts, c.expr, c.id)
		for _, j := range c.joins {
			texts = append(texts, j.clause)
		}
	}
	text := strings.Join(texts, " ")
	return func(column string) bool { return mentions(text, alias+"."+column) }
}

// either is column when the edge rows compute it, else the NULL that stands
// in for it.
func either(computed bool, column, null string) string {
	if computed {
		return column
	}
	return null
}

// mentions reports whether name occurs in text as a whole identifier (not
// followed by another identifier character). A scan, not a regular
// expression: statements ask it for every column of a summary, and
// compiling an expression each time took about a quarter of the time to
// build the campaign's total chats (BenchmarkBuildCampaignTotalChats).
func mentions(text, name string) bool {
	for rest := text; ; {
		i := strings.Index(rest, name)
		if i < 0 {
			return false
		}
		end := i + len(name)
		if end == len(rest) || !identifierByte(rest[end]) {
			return true
		}
		rest = rest[i+1:]
	}
}

// identifierByte reports whether b may continue an SQL identifier: an
// ASCII letter, digit or underscore (as \w in a regular expression).
func identifierByte(b byte) bool {
	return b == '_' || '0' <= b && b <= '9' || 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z'
}

// from is the slotted summary's rows for sc: each bucket's whole days, hours
// and slots from their tables, and the raw rows of the partial slots at
// either end of the range, in one UNION ALL.
func (r slotRows) from(b sq.SelectBuilder, sc scope) sq.SelectBuilder {
	union := r.union(sc)
	if r.group != nil {
		return b.FromSelect(r.group(union, sc), r.alias)
	}
	return b.FromSelect(union, r.alias)
}

// union is the rows of r's levels and edges for sc, before any grouping.
func (r slotRows) union(sc scope) sq.SelectBuilder {
	levels, spans, raw := r.plan(sc)
	rows := func(i int) sq.SelectBuilder {
		b := levels[i].rows(sc.workspace, spans[i])
		if sc.narrow != nil {
			b = sc.narrow(b, levels[i].table)
		}
		return b
	}
	union := rows(0)
	for i := 1; i < len(levels); i++ {
		union = union.SuffixExpr(sq.ConcatExpr("UNION ALL ", rows(i)))
	}
	reads := sc.reads
	if reads == nil {
		reads = func(string) bool { return true }
	}
	edgeRows := func(raw []span) sq.SelectBuilder {
		var edges sq.Or
		for _, s := range raw {
			edges = append(edges, sq.And{sq.GtOrEq{r.column: s.from}, sq.Lt{r.column: s.to}})
		}
		b := r.edges(sc.workspace, edges, reads)
		if sc.narrow != nil {
			b = sc.narrow(b, "")
		}
		return b
	}
	unit, whole := r.endUnit(sc, raw)
	if whole {
		// The unit's summary rows when no raw row lies in it after the
		// range's end, the raw rows up to the end otherwise: an
		// uncorrelated condition, checked once, that keeps one of the two.
		rest := r.edges(sc.workspace, sq.Or{sq.And{sq.GtOrEq{r.column: sc.to()}, sq.Lt{r.column: unit.to}}},
			func(string) bool { return false }).PlaceholderFormat(sq.Question)
		last := raw[len(raw)-1]
		raw = raw[:len(raw)-1]
		finest := r.levels[len(r.levels)-1]
		unitRows := finest.rows(sc.workspace, []span{unit})
		if sc.narrow != nil {
			unitRows = sc.narrow(unitRows, finest.table)
		}
		union = union.SuffixExpr(sq.ConcatExpr("UNION ALL ", unitRows.Where(sq.Expr("NOT EXISTS (?)", rest))))
		union = union.SuffixExpr(sq.ConcatExpr("UNION ALL ", edgeRows([]span{last}).Where(sq.Expr("EXISTS (?)", rest))))
	}
	if len(raw) > 0 {
		union = union.SuffixExpr(sq.ConcatExpr("UNION ALL ", edgeRows(raw)))
	}
	return union
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
			add("summary: " + strings.Join(r.tables, ", "))
		} else {
			add("raw")
		}
	}
	return "/* " + strings.Join(used, ", ") + " */"
}
