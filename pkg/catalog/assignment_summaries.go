package catalog

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
	{
		Table: "assignment_slots", Source: SourceAssignments, Grain: SlotLength,
		Aggregates: map[string]string{
			"count(*)": "sum(sa.assignments)",
			"count(*) FILTER (WHERE a.first_reply_at <= a.created_at + make_interval(secs => ?))::float8" +
				" / nullif(count(*) FILTER (WHERE a.first_reply_at IS NOT NULL OR a.outcome = ?), 0)": "sum(width_bucket((extract(epoch FROM make_interval(secs => ?)) * 1000000)::bigint, sa.wait_us))::float8" +
				" / nullif(sum(sa.assignments) FILTER (WHERE sa.replied OR sa.outcome = ?), 0)",
			"sum(" + seconds(conversationInterval) + ") / 60": "sum(sa.conversation_seconds) / 60",
			// avg over numeric is its sum divided by its count as numeric.
			"avg(" + seconds(waitInterval) + ")":         "sum(sa.wait_seconds) / sum(sa.assignments)::numeric",
			"avg(" + seconds(conversationInterval) + ")": "sum(sa.conversation_seconds) / sum(sa.assignments)::numeric",
			// The last of a sorted array is its largest.
			"max(" + seconds(waitInterval) + ")":         "max(sa.wait_us[cardinality(sa.wait_us)])::numeric / 1000000",
			"max(" + seconds(conversationInterval) + ")": "max(sa.conversation_us[cardinality(sa.conversation_us)])::numeric / 1000000",
		},
		States:     statesOf("sa"),
		Dimensions: assignmentDimensions,
	},
	{
		Table: "assignment_slots", Rows: "wait_us", Source: SourceAssignments, Grain: SlotLength,
		Aggregates: percentiles(waitInterval, "aw"),
		States:     statesOf("aw"),
		Dimensions: assignmentDimensions,
	},
	{
		Table: "assignment_slots", Rows: "conversation_us", Source: SourceAssignments, Grain: SlotLength,
		Aggregates: percentiles(conversationInterval, "ac"),
		States:     statesOf("ac"),
		Dimensions: assignmentDimensions,
	},
}

// percentiles maps the median and 90th percentile of a duration to the same
// over the summary's durations one by one (alias.v, in microseconds): the
// division gives the same double as the raw rows' numeric seconds do, both
// being the double nearest the same exact number of seconds.
func percentiles(interval, alias string) map[string]string {
	out := map[string]string{}
	for _, fraction := range []string{"0.5", "0.9"} {
		out["percentile_cont("+fraction+") WITHIN GROUP (ORDER BY "+seconds(interval)+")"] =
			"percentile_cont(" + fraction + ") WITHIN GROUP (ORDER BY " + alias + ".v / 1000000::float8)"
	}
	return out
}

// closingReasonSummary answers the ended assignments per closing reason
// (migration 21), which the assignment summaries keep no column for.
var closingReasonSummary = Summary{
	Table: "closing_reason_slots", Source: SourceAssignments, Grain: SlotLength,
	Aggregates:     map[string]string{"count(*)": "sum(cr.assignments)"},
	PresentInEvery: []string{"a.ended_at"},
	Dimensions:     append([]string{DimClosing.ID}, assignmentDimensions...),
}

func init() { Summaries = append(append(Summaries, assignmentSummaries...), closingReasonSummary) }
