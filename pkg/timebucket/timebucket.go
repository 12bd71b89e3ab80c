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
	"fmt"
	"strings"
	"time"

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
// span/maxDataPoints; a unit name takes one of that unit.
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
	return Interval{}, fmt.Errorf("interval %q is unknown: use one of %s", name, strings.Join(Named, ", "))
}

// LoadLocation resolves an IANA time zone name; empty and "utc" mean UTC and
// "browser" (a dashboard setting the frontend did not resolve) falls back to UTC.
func LoadLocation(name string) (*time.Location, error) {
	switch strings.ToLower(strings.TrimSpace(name)) {
	case "", "utc", "browser":
		return time.UTC, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time zone %q is unknown: use an IANA name such as Europe/Madrid or America/Sao_Paulo", name)
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
			return nil, fmt.Errorf("interval %s over this time range makes more than %d buckets: choose a coarser interval or auto",
				i, MaxBuckets)
		}
	}
	return boundaries, nil
}
