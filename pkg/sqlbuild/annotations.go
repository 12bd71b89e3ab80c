package sqlbuild

import (
	"fmt"
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// Annotations builds the statement of an annotation plan (see
// catalog.AnnotationEvents). Both events are their metric's usual SQL,
// with its conditions, filters and (where one answers) summary table,
// wrapped in the step that picks the events out:
//
//   - missed_bursts: rows (series text, series_id bigint, starts
//     timestamptz, ends timestamptz, missed float8, windows bigint, busiest
//     float8), one per burst, ordered by start and team;
//   - peak_minutes: rows (bucket int, at timestamptz, value float8), one per
//     day (bucket k is the day starting at plan.Boundaries[k-1]) whose
//     busiest minute reaches the threshold, ordered by day.
func Annotations(plan catalog.Plan, workspace Workspace) (Statement, error) {
	switch plan.Event {
	case catalog.EventMissedBursts:
		return missedBursts(plan, workspace, false)
	case catalog.EventPeakMinutes:
		return peakMinutes(plan, workspace)
	}
	return Statement{}, fmt.Errorf("annotation event %q has no SQL", plan.Event)
}

// RawMissedBursts is the missed_bursts annotation from the source rows only,
// never a summary: what the summaries are checked against.
func RawMissedBursts(plan catalog.Plan, workspace Workspace) (Statement, error) {
	if plan.Event != catalog.EventMissedBursts {
		return Statement{}, fmt.Errorf("RawMissedBursts takes a missed_bursts plan, not %q", plan.Event)
	}
	return missedBursts(plan, workspace, true)
}

// burstOrigin aligns the burst windows on UTC quarter hours, as the slot
// summaries are (migration 0003).
var burstOrigin = time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)

// missedBursts counts the metric per team and 15-minute window, keeps the
// windows that reach the threshold, and joins consecutive ones into a burst:
// in a run of consecutive windows, a window's start minus its rank in the
// run (times the window) is the same for each ("gaps and islands").
//
// The range is whole windows (see catalog's resolveAnnotation), and a window
// is a slot: a slotted summary's slots answer each window with its own rows
// (over 30 days at scale M, 3,646 rows of missed conversations per team and
// slot where the raw rows are the range's 107,819 assignments). Its hours
// and days hold many windows, so the scope keeps to the slots.
func missedBursts(plan catalog.Plan, workspace Workspace, raw bool) (Statement, error) {
	sc := scope{workspace: workspace, boundaries: []time.Time{plan.Boundaries[0], plan.Boundaries[len(plan.Boundaries)-1]},
		finest: true, raw: raw || catalog.BurstWindow != catalog.SlotLength, pieces: &decompositions{}}
	src, ok := sources[plan.Metric.Source]
	if !ok {
		return Statement{}, fmt.Errorf("metric %s has no SQL source %q", plan.Metric.ID, plan.Metric.Source)
	}
	if r, ok := choose(plan, plan.Metric, sc); ok {
		src = r.src // its rows' time: a slot's start
	}
	counts, err := build(plan, plan.Metric, sc, false)
	if err != nil {
		return Statement{}, err
	}
	window := fmt.Sprintf("%d seconds", int(catalog.BurstWindow.Seconds()))
	counts = counts.Column(sq.Expr("date_bin(?::interval, "+src.time+", ?::timestamptz) AS win", window, burstOrigin)).
		GroupBy("series", "series_id", "win")
	busy := psql.Select("c.series", "c.series_id", "c.win", "c.value").
		Column(sq.Expr("c.win - row_number() OVER (PARTITION BY c.series, c.series_id ORDER BY c.win) * ?::interval AS island", window)).
		FromSelect(counts, "c").
		Where(sq.GtOrEq{"c.value": float64(plan.Threshold)})
	bursts := psql.Select("r.series", "r.series_id", "min(r.win) AS starts").
		Column(sq.Expr("max(r.win) + ?::interval AS ends", window)).
		Columns("sum(r.value)::float8 AS missed", "count(*)::bigint AS windows", "max(r.value)::float8 AS busiest").
		FromSelect(busy, "r").
		GroupBy("r.series", "r.series_id", "r.island").
		OrderBy("starts", "r.series")
	return statement(bursts.Prefix(usedComment(plan, plan.Metric, sc)))
}

// peakMinutes is the metric's time series by day with the busiest minute of
// each day beside its count (the earliest on ties, as the peak_minute metric
// has it), keeping the days whose peak reaches the threshold. The message
// minutes' source and summary both name their rows mm(minute, n).
func peakMinutes(plan catalog.Plan, workspace Workspace) (Statement, error) {
	sc := scope{workspace: workspace, boundaries: plan.Boundaries, pieces: &decompositions{}}
	days, err := aggregated(plan, plan.Metric, sc, true)
	if err != nil {
		return Statement{}, err
	}
	days = days.Column("(array_agg(mm.minute ORDER BY mm.n DESC, mm.minute))[1] AS at")
	peaks := psql.Select("p.bucket", "p.at", "p.value").
		FromSelect(days, "p").
		Where(sq.GtOrEq{"p.value": float64(plan.Threshold)}).
		OrderBy("p.bucket")
	return statement(peaks.Prefix(usedComment(plan, plan.Metric, sc)))
}
