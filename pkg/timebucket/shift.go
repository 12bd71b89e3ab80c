package timebucket

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/userinput"
)

// Year is a calendar year; it only names offsets, never buckets.
const Year Unit = "year"

// Quarter is three calendar months; it only names offsets, never buckets.
const quarterMonths = 3

// Offset is how far back a previous period lies: Count calendar Units in the
// query's zone (days keep the local clock across daylight saving changes, so
// 7 days may be 167 or 169 hours; a month from the 31st clamps to the last
// day of the shorter month, as moment and Grafana's time shift do), or an
// Exact duration when Count is 0.
type Offset struct {
	Count int
	Unit  Unit
	Exact time.Duration
	// Previous is set for the period just before the range ("previous month"),
	// as opposed to an offset the query named ("1 month earlier").
	Previous bool
}

// dateUnits are the calendar units an offset may name, in gtime's notation
// (github.com/grafana/grafana-plugin-sdk-go/backend/gtime: d, w, M, y).
var dateUnits = map[string]Unit{"d": Day, "w": Week, "M": Month, "y": Year}

// datePattern is gtime's own pattern for a count of date units.
var datePattern = regexp.MustCompile(`^(\d+)([dwMy])$`)

// maxOffsetCount keeps an offset's arithmetic far from overflow; the shifted
// range is checked against the accepted range anyway.
const maxOffsetCount = 100_000

// ParseOffset reads an offset as Grafana writes one ("7d", "1w", "1M", "1y",
// "12h", "90m"): days, weeks, months and years are calendar units of the
// query's zone; shorter units are exact durations, parsed by gtime.
func ParseOffset(text string) (Offset, error) {
	trimmed := strings.TrimSpace(text)
	if m := datePattern.FindStringSubmatch(trimmed); m != nil {
		count, err := strconv.Atoi(m[1])
		if err != nil || count < 1 || count > maxOffsetCount {
			return Offset{}, offsetError(text)
		}
		return Offset{Count: count, Unit: dateUnits[m[2]]}, nil
	}
	if trimmed == "" || strings.ContainsAny(trimmed[len(trimmed)-1:], "dwMy") {
		return Offset{}, offsetError(text)
	}
	d, err := gtime.ParseDuration(trimmed)
	if err != nil || d < time.Minute || d%time.Minute != 0 {
		return Offset{}, offsetError(text)
	}
	return Offset{Exact: d}, nil
}

func offsetError(text string) error {
	return fmt.Errorf("compare %s is not an offset: use previous, or a whole number of minutes, hours, days, weeks, months or years such as 90m, 12h, 1d, 7d, 1w, 1M or 1y",
		userinput.Quote(text))
}

// Back is t moved back by the offset in loc. Calendar units keep the local
// wall clock; months and years clamp the day of the month (31 March less a
// month is 28 or 29 February). A t one millisecond before local midnight,
// the end Grafana gives "last month" or "yesterday", moves as that midnight
// does, so the end of March less a month is the end of February.
func (o Offset) Back(t time.Time, loc *time.Location) time.Time {
	if o.Count == 0 {
		return t.Add(-o.Exact)
	}
	if next := t.Add(time.Millisecond); isMidnight(next, loc) && !isMidnight(t, loc) {
		return o.Back(next, loc).Add(-time.Millisecond)
	}
	local := t.In(loc)
	y, mo, d := local.Date()
	h, mi, s := local.Clock()
	ns := local.Nanosecond()
	switch o.Unit {
	case Day:
		return time.Date(y, mo, d-o.Count, h, mi, s, ns, loc)
	case Week:
		return time.Date(y, mo, d-7*o.Count, h, mi, s, ns, loc)
	case Month, Year:
		months := o.Count
		if o.Unit == Year {
			months *= 12
		}
		first := time.Date(y, mo-time.Month(months), 1, 0, 0, 0, 0, loc)
		last := daysIn(first.Month(), first.Year())
		return time.Date(first.Year(), first.Month(), min(d, last), h, mi, s, ns, loc)
	}
	return t
}

// daysIn is the number of days of month m of year y.
func daysIn(m time.Month, y int) int {
	return time.Date(y, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

// isMidnight is true when t starts a local day in loc.
func isMidnight(t time.Time, loc *time.Location) bool {
	local := t.In(loc)
	y, mo, d := local.Date()
	return time.Date(y, mo, d, 0, 0, 0, 0, loc).Equal(t)
}

// Previous is the offset from [from, to) to the period just before it. A
// range that starts at local midnight is read in calendar units of loc:
//
//   - whole years, months or days (both ends at such a start, or the end one
//     millisecond before one, as Grafana writes "last month"): that many of
//     the coarsest unit both ends share, so March is compared with February
//     and 2024 with 2023;
//   - a range "so far" (the end within the day): the unit it lies within,
//     tried in the order day, month (from the 1st), week (7 days from any
//     midnight), quarter (from January, April, July or October 1st) and year
//     (from January 1st): "this month so far" on 15 March is 1 to 15 March
//     against 1 to 15 February.
//
// Any other range is moved back by its own exact length.
func Previous(from, to time.Time, loc *time.Location) Offset {
	exact := Offset{Exact: to.Sub(from), Previous: true}
	if !isMidnight(from, loc) {
		return exact
	}
	end := to
	if next := to.Add(time.Millisecond); isMidnight(next, loc) {
		end = next
	}
	f, e := from.In(loc), end.In(loc)
	if isMidnight(end, loc) {
		months := (e.Year()-f.Year())*12 + int(e.Month()-f.Month())
		switch {
		case f.Day() == 1 && e.Day() == 1 && f.Month() == time.January && e.Month() == time.January:
			return Offset{Count: months / 12, Unit: Year, Previous: true}
		case f.Day() == 1 && e.Day() == 1:
			return Offset{Count: months, Unit: Month, Previous: true}
		}
		// Calendar days between the two dates, whatever their lengths.
		days := int(time.Date(e.Year(), e.Month(), e.Day(), 0, 0, 0, 0, time.UTC).Sub(
			time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, time.UTC)) / (24 * time.Hour))
		if days%7 == 0 {
			return Offset{Count: days / 7, Unit: Week, Previous: true}
		}
		return Offset{Count: days, Unit: Day, Previous: true}
	}
	within := func(count int, unit Unit) bool {
		// end lies within count units after from: moving it back stays at or after from.
		return !Offset{Count: count, Unit: unit}.Back(end, loc).After(from)
	}
	switch {
	case within(1, Day):
		return Offset{Count: 1, Unit: Day, Previous: true}
	case f.Day() == 1 && within(1, Month):
		return Offset{Count: 1, Unit: Month, Previous: true}
	case within(1, Week):
		return Offset{Count: 1, Unit: Week, Previous: true}
	case f.Day() == 1 && (f.Month()-1)%quarterMonths == 0 && within(quarterMonths, Month):
		return Offset{Count: quarterMonths, Unit: Month, Previous: true}
	case f.Day() == 1 && f.Month() == time.January && within(1, Year):
		return Offset{Count: 1, Unit: Year, Previous: true}
	}
	return exact
}

// Describe names the other period for a series' display name: "previous
// month", "previous 3 days", "previous 24 hours", or for a named offset "7
// days earlier", "1 month earlier".
func (o Offset) Describe() string {
	amount := o.amount()
	switch {
	case o.Previous && o.Count == 1:
		return "previous " + string(o.Unit)
	case o.Previous && amount == "":
		return "previous period"
	case o.Previous:
		return "previous " + amount
	case amount == "":
		return "earlier"
	}
	return amount + " earlier"
}

// amount is "3 days", "1 month" or "90 minutes"; empty for a duration that is
// not whole minutes.
func (o Offset) amount() string {
	count, unit := o.Count, string(o.Unit)
	if o.Count == 0 {
		switch {
		case o.Exact%time.Hour == 0:
			count, unit = int(o.Exact/time.Hour), "hour"
		case o.Exact%time.Minute == 0:
			count, unit = int(o.Exact/time.Minute), "minute"
		default:
			return ""
		}
	}
	if count != 1 {
		unit += "s"
	}
	return fmt.Sprintf("%d %s", count, unit)
}
