package timebucket

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func zone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func instant(value string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		panic(err)
	}
	return t
}

func TestParseOffset(t *testing.T) {
	for text, want := range map[string]Offset{
		"1d": {Count: 1, Unit: Day}, "7d": {Count: 7, Unit: Day}, "1w": {Count: 1, Unit: Week},
		"1M": {Count: 1, Unit: Month}, "1y": {Count: 1, Unit: Year}, " 2w ": {Count: 2, Unit: Week},
		"12h": {Exact: 12 * time.Hour}, "90m": {Exact: 90 * time.Minute}, "1h30m": {Exact: 90 * time.Minute},
	} {
		got, err := ParseOffset(text)
		require.NoError(t, err, text)
		require.Equal(t, want, got, text)
	}
	for _, text := range []string{"", "0d", "-7d", "7", "7 days", "1.5d", "30s", "1ms", "0h", "-1h", "1D", "1Y", "d", "999999999999999999999d", "100001d"} {
		_, err := ParseOffset(text)
		require.Error(t, err, text)
		require.Contains(t, err.Error(), "is not an offset: use previous, or a whole number of minutes, hours, days, weeks, months or years", text)
	}
}

// Calendar offsets keep the local clock and clamp the day of the month, as
// moment's subtract does for Grafana's time shift.
func TestOffsetBack(t *testing.T) {
	berlin, newYork := zone(t, "Europe/Berlin"), zone(t, "America/New_York")
	cases := []struct {
		name, text string
		loc        *time.Location
		t, want    string
		hours      float64 // the shift's length, counted by hand
	}{
		// Berlin went from +1 to +2 at 02:00 on Sunday 27 March 2022: the week
		// back from 28 March 00:00 (+2) to 21 March 00:00 (+1) is 7 * 24 - 1 hours.
		{"7 days over the spring change", "7d", berlin, "2022-03-27T22:00:00Z", "2022-03-20T23:00:00Z", 167},
		{"a week over the spring change", "1w", berlin, "2022-03-27T22:00:00Z", "2022-03-20T23:00:00Z", 167},
		// New York went from -4 to -5 at 02:00 on Sunday 6 November 2022: 7
		// November 00:00 (-5) back to 31 October 00:00 (-4) is 7 * 24 + 1 hours.
		{"7 days over the autumn change", "7d", newYork, "2022-11-07T05:00:00Z", "2022-10-31T04:00:00Z", 169},
		{"24 hours are 24 hours", "24h", berlin, "2022-03-27T22:00:00Z", "2022-03-26T22:00:00Z", 24},
		// 31 March less a month is the last day of February: 28 days in 2022, 29 in 2024.
		{"31 March less a month", "1M", time.UTC, "2022-03-31T10:00:00Z", "2022-02-28T10:00:00Z", 31 * 24},
		{"31 March less a month in a leap year", "1M", time.UTC, "2024-03-31T10:00:00Z", "2024-02-29T10:00:00Z", 31 * 24},
		{"29 February less a year", "1y", time.UTC, "2024-02-29T00:00:00Z", "2023-02-28T00:00:00Z", 366 * 24},
		{"31 May less 3 months", "3M", time.UTC, "2022-05-31T00:00:00Z", "2022-02-28T00:00:00Z", (1 + 31 + 30 + 30) * 24}, // 28 Feb to 1 March, March, April, 1 to 31 May,
		// Grafana ends "last month" a millisecond before midnight: the end of
		// March less a month is the end of February, not 28 February.
		{"the end of March less a month", "1M", time.UTC, "2022-03-31T23:59:59.999Z", "2022-02-28T23:59:59.999Z", 31 * 24},
		{"a month in Berlin, from summer into winter time", "1M", berlin, "2022-04-30T22:00:00Z", "2022-03-31T22:00:00Z", 30 * 24},
	}
	for _, c := range cases {
		offset, err := ParseOffset(c.text)
		require.NoError(t, err, c.name)
		got := offset.Back(instant(c.t), c.loc)
		require.True(t, instant(c.want).Equal(got), "%s: want %s, got %s", c.name, c.want, got.UTC())
		require.InDelta(t, c.hours, instant(c.t).Sub(got).Hours(), 1e-9, c.name)
	}
}

// The previous period follows the calendar when the range does.
func TestPrevious(t *testing.T) {
	berlin := zone(t, "Europe/Berlin")
	cases := []struct {
		name, from, to string
		loc            *time.Location
		want           Offset
		label          string
	}{
		{"a calendar month", "2022-03-01T00:00:00Z", "2022-04-01T00:00:00Z", time.UTC, Offset{Count: 1, Unit: Month, Previous: true}, "previous month"},
		{"February", "2022-02-01T00:00:00Z", "2022-03-01T00:00:00Z", time.UTC, Offset{Count: 1, Unit: Month, Previous: true}, "previous month"},
		{"last month as Grafana ends it", "2022-02-01T00:00:00Z", "2022-02-28T23:59:59.999Z", time.UTC, Offset{Count: 1, Unit: Month, Previous: true}, "previous month"},
		{"a quarter", "2022-01-01T00:00:00Z", "2022-04-01T00:00:00Z", time.UTC, Offset{Count: 3, Unit: Month, Previous: true}, "previous 3 months"},
		{"a year", "2021-01-01T00:00:00Z", "2022-01-01T00:00:00Z", time.UTC, Offset{Count: 1, Unit: Year, Previous: true}, "previous year"},
		{"a Berlin month", "2022-02-28T23:00:00Z", "2022-03-31T22:00:00Z", berlin, Offset{Count: 1, Unit: Month, Previous: true}, "previous month"},
		{"three whole days", "2022-03-08T00:00:00Z", "2022-03-11T00:00:00Z", time.UTC, Offset{Count: 3, Unit: Day, Previous: true}, "previous 3 days"},
		{"two whole weeks", "2022-03-07T00:00:00Z", "2022-03-21T00:00:00Z", time.UTC, Offset{Count: 2, Unit: Week, Previous: true}, "previous 2 weeks"},
		{"today so far", "2022-03-10T00:00:00Z", "2022-03-10T15:20:00Z", time.UTC, Offset{Count: 1, Unit: Day, Previous: true}, "previous day"},
		{"this month so far", "2022-03-01T00:00:00Z", "2022-03-15T15:20:00Z", time.UTC, Offset{Count: 1, Unit: Month, Previous: true}, "previous month"},
		{"this week so far", "2022-03-07T00:00:00Z", "2022-03-09T15:20:00Z", time.UTC, Offset{Count: 1, Unit: Week, Previous: true}, "previous week"},
		{"this quarter so far", "2022-04-01T00:00:00Z", "2022-05-15T15:20:00Z", time.UTC, Offset{Count: 3, Unit: Month, Previous: true}, "previous 3 months"},
		{"this year so far", "2022-01-01T00:00:00Z", "2022-06-15T15:20:00Z", time.UTC, Offset{Count: 1, Unit: Year, Previous: true}, "previous year"},
		{"the last 24 hours", "2022-03-10T06:00:00Z", "2022-03-11T06:00:00Z", time.UTC, Offset{Exact: 24 * time.Hour, Previous: true}, "previous 24 hours"},
		{"midnight in UTC is not in Berlin", "2022-03-10T00:00:00Z", "2022-03-11T00:00:00Z", berlin, Offset{Exact: 24 * time.Hour, Previous: true}, "previous 24 hours"},
		{"90 minutes", "2022-03-10T06:00:00Z", "2022-03-10T07:30:00Z", time.UTC, Offset{Exact: 90 * time.Minute, Previous: true}, "previous 90 minutes"},
		{"an odd span", "2022-03-10T06:00:00Z", "2022-03-10T07:30:05Z", time.UTC, Offset{Exact: 90*time.Minute + 5*time.Second, Previous: true}, "previous period"},
		{"forty days so far", "2022-03-01T00:00:00Z", "2022-04-10T12:00:00Z", time.UTC, Offset{Exact: (40*24 + 12) * time.Hour, Previous: true}, "previous 972 hours"},
	}
	for _, c := range cases {
		got := Previous(instant(c.from), instant(c.to), c.loc)
		require.Equal(t, c.want, got, c.name)
		require.Equal(t, c.label, got.Describe(), c.name)
	}
	named, err := ParseOffset("7d")
	require.NoError(t, err)
	require.Equal(t, "7 days earlier", named.Describe())
}
