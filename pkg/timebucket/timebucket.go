// Package timebucket cuts a time range into calendar buckets in a time zone:
// real months, weeks starting on Monday, days from local midnight (23 or 25
// hours long on daylight-saving change days) and whole local hours and minutes.
//
// The boundaries are computed here and sent to PostgreSQL as one array, where
// width_bucket(ts, boundaries) files each row by binary search. The database
// therefore never redoes calendar arithmetic, and every bucket has exactly the
// boundaries this package documents, whatever the session's time zone.
package timebucket

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/userinput"

	// The IANA database is compiled in, so time zones work on hosts without one.
	_ "time/tzdata"
)

// Unit is a calendar unit.
type Unit string

// The units, smallest first.
const (
	Minute Unit = "minute"
	Hour   Unit = "hour"
	Day    Unit = "day"
	Week   Unit = "week"
	Month  Unit = "month"
)

// Interval is Count calendar Units, for example 15 minutes or 1 month.
type Interval struct {
	Unit  Unit
	Count int
}

// Auto is the interval name that lets Grafana's interval and max data points choose.
const Auto = "auto"

// MaxBuckets bounds one time series, so that a minute interval over a year is
// refused with advice instead of returning half a million points.
const MaxBuckets = 20_000

// SlotLength is the grain of the store's slot summaries: every time zone in
// use has an offset that is a multiple of 15 minutes, so each of its buckets
// of 15 minutes or more is a union of whole slots.
const SlotLength = 15 * time.Minute

// FineAutoSpan is the longest time range over which auto takes an interval
// under SlotLength. Such buckets are counted from the raw rows of the range,
// which stay few over two hours; over a longer range auto takes SlotLength or
// more, whose buckets the summaries answer (in any time zone) with a few rows
// each. At 10 million messages the raw rows of a day cost 200 to 600 ms per
// series, its 15-minute summaries a few milliseconds.
const FineAutoSpan = 2 * time.Hour

// Named lists the intervals a query may name, in order.
var Named = []string{Auto, string(Minute), string(Hour), string(Day), string(Week), string(Month)}

// autoLadder are the intervals Auto chooses from, smallest first; each one
// divides the next unit evenly so buckets stay aligned to the clock.
var autoLadder = []Interval{
	{Minute, 1}, {Minute, 5}, {Minute, 10}, {Minute, 15}, {Minute, 30},
	{Hour, 1}, {Hour, 3}, {Hour, 6}, {Hour, 12},
	{Day, 1}, {Week, 1}, {Month, 1},
}

// String is a short name such as "15m" or "1d" (gtime's notation).
func (i Interval) String() string {
	suffix := map[Unit]string{Minute: "m", Hour: "h", Day: "d", Week: "w", Month: "M"}[i.Unit]
	return fmt.Sprintf("%d%s", i.Count, suffix)
}

// nominal is the interval's usual length, used only to pick an Auto interval.
func (i Interval) nominal() time.Duration {
	unit := map[Unit]time.Duration{Minute: time.Minute, Hour: time.Hour, Day: 24 * time.Hour,
		Week: 7 * 24 * time.Hour, Month: 30 * 24 * time.Hour}[i.Unit]
	return time.Duration(i.Count) * unit
}

// Choose resolves an interval name. "auto" (or empty) takes the smallest
// interval of the ladder that is at least Grafana's interval and at least
// span/maxDataPoints, and at least SlotLength when span exceeds
// FineAutoSpan; a unit name takes one of that unit.
func Choose(name string, span, grafanaStep time.Duration, maxDataPoints int64) (Interval, error) {
	// Grafana writes a month as "1M" and a minute as "1m": only the unit
	// names are read without regard to case.
	if strings.TrimSpace(name) == "1M" {
		return Interval{Month, 1}, nil
	}
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", Auto:
		least := grafanaStep
		if maxDataPoints > 0 && span/time.Duration(maxDataPoints) > least {
			least = span / time.Duration(maxDataPoints)
		}
		if span > FineAutoSpan {
			least = max(least, SlotLength)
		}
		for _, candidate := range autoLadder {
			if candidate.nominal() >= least {
				return candidate, nil
			}
		}
		return autoLadder[len(autoLadder)-1], nil
	case string(Minute), "1m":
		return Interval{Minute, 1}, nil
	case string(Hour), "1h":
		return Interval{Hour, 1}, nil
	case string(Day), "1d":
		return Interval{Day, 1}, nil
	case string(Week), "1w":
		return Interval{Week, 1}, nil
	case string(Month):
		return Interval{Month, 1}, nil
	}
	return Interval{}, fmt.Errorf("interval %s is unknown: use one of %s", userinput.Quote(name), strings.Join(Named, ", "))
}

// LoadLocation resolves an IANA time zone name; empty and "utc" mean UTC and
// "browser" (a dashboard setting the frontend did not resolve) falls back to UTC.
// "Local" is refused: it would be the zone of the host running the plugin,
// which neither the dashboard nor its viewer can see or choose.
func LoadLocation(name string) (*time.Location, error) {
	if err := userinput.Check("time zone", name); err != nil {
		return nil, err
	}
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "utc", "browser":
		return time.UTC, nil
	case "local":
		return nil, fmt.Errorf("time zone %s is the plugin host's zone, not the dashboard's: use an IANA name such as Europe/Madrid, or UTC", userinput.Quote(name))
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %s is unknown: use an IANA name such as Europe/Madrid or America/Sao_Paulo", userinput.Quote(name))
	}
	return loc, nil
}

// Truncate returns the start of the bucket of interval i holding t, in loc.
func Truncate(t time.Time, i Interval, loc *time.Location) time.Time {
	local := t.In(loc)
	y, mo, d := local.Date()
	switch {
	case i.Unit == Month:
		return time.Date(y, mo, 1, 0, 0, 0, 0, loc)
	case i.Unit == Week:
		back := (int(local.Weekday()) + 6) % 7 // days since Monday
		return time.Date(y, mo, d-back, 0, 0, 0, 0, loc)
	case i.Unit == Day:
		return time.Date(y, mo, d, 0, 0, 0, 0, loc)
	case i.Unit == Hour && i.Count > 1:
		start := time.Date(y, mo, d, local.Hour()-local.Hour()%i.Count, 0, 0, 0, loc)
		for start.After(t) { // a wall time repeated when clocks go back may resolve to its later instant
			start = start.Add(-time.Hour)
		}
		return start
	default:
		// One hour or whole minutes of the local clock: shift into local time,
		// floor, shift back. Zones whose offset is not whole hours (India +5:30,
		// Nepal +5:45) get buckets on their own hour marks.
		_, offset := local.Zone()
		shift := time.Duration(offset) * time.Second
		return t.Add(shift).Truncate(i.step()).Add(-shift)
	}
}

// step is the fixed length of a minute or hour interval.
func (i Interval) step() time.Duration {
	if i.Unit == Hour {
		return time.Duration(i.Count) * time.Hour
	}
	return time.Duration(i.Count) * time.Minute
}

// Next returns the start of the bucket after the one starting at start.
func Next(start time.Time, i Interval, loc *time.Location) time.Time {
	local := start.In(loc)
	y, mo, d := local.Date()
	switch {
	case i.Unit == Month:
		return time.Date(y, mo+time.Month(i.Count), 1, 0, 0, 0, 0, loc)
	case i.Unit == Week:
		return time.Date(y, mo, d+7*i.Count, 0, 0, 0, 0, loc)
	case i.Unit == Day:
		return time.Date(y, mo, d+i.Count, 0, 0, 0, 0, loc)
	case i.Unit == Hour && i.Count > 1:
		// The next local multiple (00, 03, 06...): a bucket holding a DST
		// change is an hour shorter or longer, and the rest stay on the marks.
		if next := time.Date(y, mo, d, local.Hour()+i.Count, 0, 0, 0, loc); next.After(start) {
			return next
		}
		return start.Add(i.step())
	default:
		return start.Add(i.step()) // real minutes and hours stay on the marks across DST changes
	}
}

// Boundaries returns the starts of every bucket that overlaps [from, to),
// followed by the end of the last one: n buckets give n+1 boundaries. A bucket
// is the half-open interval [boundaries[k], boundaries[k+1]).
func Boundaries(from, to time.Time, i Interval, loc *time.Location) ([]time.Time, error) {
	if !to.After(from) {
		return nil, fmt.Errorf("the time range is empty (from %s to %s): choose a later end", from.Format(time.RFC3339), to.Format(time.RFC3339))
	}
	start := Truncate(from, i, loc)
	boundaries := []time.Time{start.UTC()}
	for start.Before(to) {
		start = Next(start, i, loc)
		boundaries = append(boundaries, start.UTC())
		if len(boundaries) > MaxBuckets+1 {
			return nil, fmt.Errorf("interval %s over this time range makes %w", i, errTooManyBuckets)
		}
	}
	return boundaries, nil
}

// errTooManyBuckets is Boundaries' error when a series would pass MaxBuckets.
var errTooManyBuckets = fmt.Errorf("more than %d buckets", MaxBuckets)

// Buckets resolves an interval name for the range [from, to) in loc and cuts
// the range into its buckets. Unlike Choose, it counts the buckets:
//
//   - auto takes the smallest interval of its ladder that is at least Grafana's
//     interval and span/maxDataPoints and that keeps the series within
//     MaxBuckets, whatever max data points says (alert rules send 43200 points
//     at a 1s interval, which over 14 days would ask for 1m buckets: 20160).
//   - a named interval that makes too many buckets is refused, naming the
//     finest named interval that fits, so the advice always works.
func Buckets(name string, from, to time.Time, loc *time.Location, grafanaStep time.Duration, maxDataPoints int64) (Interval, []time.Time, error) {
	interval, err := Choose(name, to.Sub(from), grafanaStep, maxDataPoints)
	if err != nil {
		return Interval{}, nil, err
	}
	isAuto := strings.TrimSpace(name) == "" || strings.EqualFold(strings.TrimSpace(name), Auto)
	if !isAuto {
		boundaries, err := Boundaries(from, to, interval, loc)
		if errors.Is(err, errTooManyBuckets) {
			return Interval{}, nil, tooManyBuckets(interval, from, to, loc)
		}
		return interval, boundaries, err
	}
	for _, candidate := range autoLadder {
		if candidate.nominal() < interval.nominal() || overCap(candidate, from, to) {
			continue
		}
		boundaries, err := Boundaries(from, to, candidate, loc)
		if errors.Is(err, errTooManyBuckets) {
			continue
		}
		return candidate, boundaries, err
	}
	return Interval{}, nil, tooLong(from, to)
}

// overCap is true when interval surely makes more than MaxBuckets over
// [from, to), judged by its nominal length with room for short months and
// days: it spares counting the buckets of intervals far too fine.
func overCap(i Interval, from, to time.Time) bool {
	return to.Sub(from)/i.nominal() > 2*MaxBuckets
}

// tooManyBuckets is the error for a named interval over too long a range: it
// names the finest named interval that fits, or asks for a shorter range.
func tooManyBuckets(i Interval, from, to time.Time, loc *time.Location) error {
	for _, unit := range []Unit{Minute, Hour, Day, Week, Month} {
		candidate := Interval{unit, 1}
		if candidate.nominal() <= i.nominal() || overCap(candidate, from, to) {
			continue
		}
		if _, err := Boundaries(from, to, candidate, loc); err == nil {
			return fmt.Errorf("interval %s over this time range makes more than %d buckets: choose %s or a coarser interval, or auto",
				i, MaxBuckets, unit)
		}
	}
	return tooLong(from, to)
}

// tooLong is the error for a range that even monthly buckets cannot cover.
func tooLong(from, to time.Time) error {
	return fmt.Errorf("the time range from %s to %s is too long for a time series of at most %d monthly buckets: narrow it to at most %d years, or use totals",
		from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339), MaxBuckets, MaxBuckets/12-1)
}

// The accepted time range. Grafana sends epoch milliseconds, which can name
// instants neither the store nor the driver can hold: PostgreSQL's
// timestamptz runs from 4713 BC to 294276 AD, pgx sends microseconds since
// 2000 in an int64 (about ±292,000 years) and overflows silently beyond,
// which once answered a wrong zero. Years 1970 to 9999 are well inside both,
// hold every real conversation, and are what RFC 3339 and the frontend can
// show; the tightest of the three is the one applied.
var (
	// Earliest is the first instant a time range may start at.
	Earliest = time.Date(1970, 1, 1, 0, 0, 0, 0, time.UTC)
	// Latest is the last instant a time range may end at (years up to 9999).
	Latest = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
)

// CheckRange refuses a time range outside [Earliest, Latest] or one whose end
// is not after its start. what names the range in the message, such as
// "the time range" or "from and to".
func CheckRange(what string, from, to time.Time) error {
	if from.Before(Earliest) || from.After(Latest) || to.Before(Earliest) || to.After(Latest) {
		return fmt.Errorf("%s (from %s to %s) is outside the accepted range: use times from %s to %s (years 1970 to 9999)",
			what, formatAny(from), formatAny(to), Earliest.Format(time.RFC3339), Latest.Format(time.RFC3339))
	}
	if !to.After(from) {
		return fmt.Errorf("%s is empty (from %s to %s): choose a later end", what, from.UTC().Format(time.RFC3339), to.UTC().Format(time.RFC3339))
	}
	return nil
}

// formatAny writes t in RFC 3339 when it can be, and as epoch milliseconds
// for years RFC 3339 cannot write.
func formatAny(t time.Time) string {
	if t.Year() < 0 || t.Year() > 9999 {
		return fmt.Sprintf("%d ms since 1970", t.UnixMilli())
	}
	return t.UTC().Format(time.RFC3339)
}
