package catalog

import "maps"

// The durations the contact-center metrics measure over an assignment's
// rows, as SQL intervals (the summaries of migration 10 keep both).
const (
	waitInterval         = "a.first_reply_at - a.created_at"
	conversationInterval = "a.ended_at - a.accepted_at"
)

// assignmentStates maps the assignment columns a metric requires set (or
// unset) to the summary's columns of the assignment's state.
var assignmentStates = map[string]string{
	"a.accepted_at":    "accepted",
	"a.first_reply_at": "replied",
	"a.ended_at":       "ended",
}

// statesOf is assignmentStates on the summary rows' alias.
func statesOf(alias string) map[string]string {
	out := make(map[string]string, len(assignmentStates))
	for column, state := range assignmentStates {
		out[column] = alias + "." + state
	}
	return out
}

// seconds is a duration's aggregate key as durations writes it.
func seconds(interval string) string { return "extract(epoch FROM " + interval + ")" }

// assignmentSummaries answer the contact-center metrics over assignments
// from migration 10's slots (and their hours and days). Their counts and sums
// of seconds give the counts, averages, sums and maxima; the durations one
// by one (a sorted array per row, unnested) give the percentiles; and the
// share answered within a target counts, per row, the array's values up to
// the target by binary search (width_bucket). The target's microseconds are
// those make_interval adds to the creation time in the raw condition.
var assignmentSummaries = []Summary{
	// The same per team only (migration 37), for the metrics that group and
	// filter by the team alone: a fifth of the rows.
	assignmentTotals("assignment_team_slots", "st", []string{DimTeam.ID}),
	// The same per agent only (migration 40), for the metrics that group
	// and filter by the agent alone: a seventh of the rows over a month.
	assignmentTotals("assignment_agent_slots", "sg", []string{DimAgent.ID}),
	assignmentTotals("assignment_slots", "sa", assignmentDimensions),
	{
		// The medians and 90th percentiles from the per-team rows, whose
		// arrays are long: a month of wait times is 178 day rows of 467
		// values on average there, 4,497 of 19 in the finer rows, so each
		// bucket's group gathers its arrays and the large groups search
		// them (see sortedPercentiles), whatever the number of buckets.
		Table: "assignment_team_slots", Source: SourceAssignments, Grain: SlotLength,
		Aggregates: merged(sortedPercentiles(waitInterval, "st.wait_us"), sortedPercentiles(conversationInterval, "st.conversation_us")),
		States:     statesOf("st"),
		Dimensions: []string{DimTeam.ID},
	},
	// And per agent, from the fewer per-agent rows.
	assignmentDurations("assignment_agent_slots", "wait_us", waitInterval, "gw", []string{DimAgent.ID}),
	assignmentDurations("assignment_agent_slots", "conversation_us", conversationInterval, "gc", []string{DimAgent.ID}),
	assignmentDurations("assignment_slots", "wait_us", waitInterval, "aw", assignmentDimensions),
	assignmentDurations("assignment_slots", "conversation_us", conversationInterval, "ac", assignmentDimensions),
}

// merged is the union of maps with distinct keys.
func merged(parts ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, part := range parts {
		maps.Copy(out, part)
	}
	return out
}

// percentiles maps the median and 90th percentile of a duration to the same
// over the summary's durations one by one (alias.v, in microseconds): the
// division gives the same double as the raw rows' numeric seconds do, both
// being the double nearest the same exact number of seconds.
func percentiles(interval, alias string) map[string]string {
	out := map[string]string{}
	for _, fraction := range percentileFractions {
		out[percentileOf(fraction, seconds(interval))] = percentileOf(fraction, alias+".v / 1000000::float8")
	}
	return out
}

// assignmentDurations is a summary of the assignments' durations one by one
// (the sorted array column rows of table, one row per value, read under
// alias) that answers the median and 90th percentile of interval, grouped
// and filtered by dimensions.
func assignmentDurations(table, rows, interval, alias string, dimensions []string) Summary {
	return Summary{
		Table: table, Rows: rows, Source: SourceAssignments, Grain: SlotLength,
		Aggregates: percentiles(interval, alias),
		States:     statesOf(alias),
		Dimensions: dimensions,
	}
}

// assignmentTotals is a summary of the assignments' counts, sums of seconds
// and sorted durations per unit and state in table, read under alias, that
// groups and filters by dimensions.
func assignmentTotals(table, alias string, dimensions []string) Summary {
	column := func(name string) string { return alias + "." + name }
	return Summary{
		Table: table, Source: SourceAssignments, Grain: SlotLength,
		Aggregates: map[string]string{
			"count(*)": "sum(" + column("assignments") + ")",
			"count(*) FILTER (WHERE a.first_reply_at <= a.created_at + make_interval(secs => ?))::float8" +
				" / nullif(count(*) FILTER (WHERE a.first_reply_at IS NOT NULL OR a.outcome = ?), 0)": "sum(width_bucket((extract(epoch FROM make_interval(secs => ?)) * 1000000)::bigint, " + column("wait_us") + "))::float8" +
				" / nullif(sum(" + column("assignments") + ") FILTER (WHERE " + column("replied") + " OR " + column("outcome") + " = ?), 0)",
			"sum(" + seconds(conversationInterval) + ") / 60": "sum(" + column("conversation_seconds") + ") / 60",
			// avg over numeric is its sum divided by its count as numeric.
			"avg(" + seconds(waitInterval) + ")":         "sum(" + column("wait_seconds") + ") / sum(" + column("assignments") + ")::numeric",
			"avg(" + seconds(conversationInterval) + ")": "sum(" + column("conversation_seconds") + ") / sum(" + column("assignments") + ")::numeric",
			// The last of a sorted array is its largest.
			"max(" + seconds(waitInterval) + ")":         "max(" + column("wait_us") + "[cardinality(" + column("wait_us") + ")])::numeric / 1000000",
			"max(" + seconds(conversationInterval) + ")": "max(" + column("conversation_us") + "[cardinality(" + column("conversation_us") + ")])::numeric / 1000000",
		},
		States:     statesOf(alias),
		Dimensions: dimensions,
	}
}

// percentileFractions are the percentiles durations makes: the median and
// the 90th.
var percentileFractions = []string{"0.5", "0.9"}

// percentileOf is percentile_cont at fraction of the values of expression,
// as the duration metrics and their summaries write it.
func percentileOf(fraction, expression string) string {
	return "percentile_cont(" + fraction + ") WITHIN GROUP (ORDER BY " + expression + ")"
}

// sortedPercentiles maps the median and 90th percentile of a duration to the
// same over a summary's sorted arrays of microseconds (array, a column of each
// row). A group of at most smallGroupValues values, or of short arrays (fewer
// than longArrayValues values each on average), unnests and sorts them, as
// percentile_cont over the raw rows does; a larger group of long arrays finds
// its two middle values by binary search in the arrays
// (sorted_us_percentile_cont, migration 30), whose cost follows the arrays
// rather than the values. Either way the division gives the same double as
// the raw rows' numeric seconds do, both being the double nearest the same
// exact number of seconds, and the interpolation is percentile_cont's own.
// The operator response times and the per-team assignment rows use it over
// any number of buckets: per bucket and group, gathering the arrays and
// sorting a small group's values in memory costs less than unnesting every
// value of the range and sorting them all by bucket and group (a sort that
// spills to disk over 90 days). The finer assignment rows' arrays are short
// (a month of wait times: 4,497 day rows of 18 values), and gathering them
// costs more than percentiles' lateral unnest saves.
func sortedPercentiles(interval, array string) map[string]string {
	n := "sum(cardinality(" + array + "))"
	sets := "array_agg(ROW(" + array + ")::sorted_us)"
	out := map[string]string{}
	for _, fraction := range percentileFractions {
		out[percentileOf(fraction, seconds(interval))] =
			"CASE WHEN " + n + " <= " + smallGroupValues + " OR " + n + " < " + longArrayValues + " * count(*)" +
				" THEN (SELECT " + percentileOf(fraction, "pv.v / 1000000::float8") +
				" FROM unnest(" + sets + ") ps, unnest(ps.us) pv(v))" +
				" ELSE sorted_us_percentile_cont(" + fraction + ", " + n + ", " + sets + ") END"
	}
	return out
}

// smallGroupValues is the most values a percentile always sorts whole: a
// call of sorted_us_percentile_cont costs more than such a sort. At scale M
// a day's 90th percentile of one team's wait times (about 800 values in two
// arrays) takes about 130 µs sorted and 45 µs searched: 90 days by team
// per day take 40 ms with 4,096 here and 18 ms with 256, and the operator
// response time by agent per day 112 and 62 ms; hourly and 15-minute
// buckets, whose groups stay small, take the same either way.
// longArrayValues is the fewest values per array, on average, for which the
// binary search pays: it reads each array a few times, where the sort reads
// each value once (at scale M, 30 days of wait times in 4,497 arrays of 18
// values sort in 26 ms and take 100 ms by binary search; 90 days of response
// times in 9,990 arrays of 73 values, 155 ms and 27 ms).
const (
	smallGroupValues = "256"
	longArrayValues  = "32"
)

// closingReasonSummary answers the ended assignments per closing reason
// (migration 21), which the assignment summaries keep no column for.
var closingReasonSummary = Summary{
	Table: "closing_reason_slots", Source: SourceAssignments, Grain: SlotLength,
	Aggregates:     map[string]string{"count(*)": "sum(cr.assignments)"},
	PresentInEvery: []string{"a.ended_at"},
	Dimensions:     append([]string{DimClosing.ID}, assignmentDimensions...),
}

func init() { Summaries = append(append(Summaries, assignmentSummaries...), closingReasonSummary) }
