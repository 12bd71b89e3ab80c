package timebucket

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func mustLoad(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := LoadLocation(name)
	require.NoError(t, err)
	return loc
}

func utc(value string) time.Time {
	t, err := time.Parse(time.RFC3339, value)
	if err != nil {
		panic(err)
	}
	return t
}

func TestMonthsAreCalendarMonthsInTheZone(t *testing.T) {
	tokyo := mustLoad(t, "Asia/Tokyo")
	// January and February 2022 in Tokyo (UTC+9, no DST).
	got, err := Boundaries(utc("2021-12-31T15:00:00Z"), utc("2022-02-28T15:00:00Z"), Interval{Month, 1}, tokyo)
	require.NoError(t, err)
	require.Equal(t, []time.Time{
		utc("2021-12-31T15:00:00Z"), // 2022-01-01 00:00 Tokyo
		utc("2022-01-31T15:00:00Z"), // 2022-02-01 00:00 Tokyo
		utc("2022-02-28T15:00:00Z"), // 2022-03-01 00:00 Tokyo
	}, got)

	// A message at 2022-01-31 23:30 UTC is in February in Tokyo.
	require.Equal(t, utc("2022-01-31T15:00:00Z"), Truncate(utc("2022-01-31T23:30:00Z"), Interval{Month, 1}, tokyo).UTC())
	require.Equal(t, utc("2022-01-01T00:00:00Z"), Truncate(utc("2022-01-31T23:30:00Z"), Interval{Month, 1}, time.UTC).UTC())
}

func TestDaysFollowDaylightSavingChanges(t *testing.T) {
	madrid := mustLoad(t, "Europe/Madrid")
	// 2022-03-27 has 23 hours in Madrid, 2022-10-30 has 25.
	spring, err := Boundaries(utc("2022-03-25T23:00:00Z"), utc("2022-03-27T22:00:00Z"), Interval{Day, 1}, madrid)
	require.NoError(t, err)
	require.Equal(t, []time.Time{utc("2022-03-25T23:00:00Z"), utc("2022-03-26T23:00:00Z"), utc("2022-03-27T22:00:00Z")}, spring)
	require.Equal(t, 23*time.Hour, spring[2].Sub(spring[1]))

	autumn, err := Boundaries(utc("2022-10-29T22:00:00Z"), utc("2022-10-30T23:00:00Z"), Interval{Day, 1}, madrid)
	require.NoError(t, err)
	require.Equal(t, []time.Time{utc("2022-10-29T22:00:00Z"), utc("2022-10-30T23:00:00Z")}, autumn[:2])
	require.Equal(t, 25*time.Hour, autumn[1].Sub(autumn[0]))
}

func TestHoursAcrossDaylightSavingChanges(t *testing.T) {
	madrid := mustLoad(t, "Europe/Madrid")
	// Clocks go back at 03:00 CEST (01:00 UTC) on 2022-10-30: local 02:00-03:00 happens twice.
	hours, err := Boundaries(utc("2022-10-29T23:00:00Z"), utc("2022-10-30T03:00:00Z"), Interval{Hour, 1}, madrid)
	require.NoError(t, err)
	require.Equal(t, []time.Time{
		utc("2022-10-29T23:00:00Z"), utc("2022-10-30T00:00:00Z"), utc("2022-10-30T01:00:00Z"),
		utc("2022-10-30T02:00:00Z"), utc("2022-10-30T03:00:00Z"),
	}, hours, "the repeated local hour is two buckets, both one real hour long")

	// Three-hour buckets stay on local 00, 03, 06: the one holding the change is 4 hours long.
	threes, err := Boundaries(utc("2022-10-29T22:00:00Z"), utc("2022-10-30T05:00:00Z"), Interval{Hour, 3}, madrid)
	require.NoError(t, err)
	require.Equal(t, []time.Time{utc("2022-10-29T22:00:00Z"), utc("2022-10-30T02:00:00Z"), utc("2022-10-30T05:00:00Z")}, threes)

	// On the spring change the bucket from 00:00 to 03:00 local is 2 hours long.
	spring, err := Boundaries(utc("2022-03-26T23:00:00Z"), utc("2022-03-27T04:00:00Z"), Interval{Hour, 3}, madrid)
	require.NoError(t, err)
	require.Equal(t, []time.Time{utc("2022-03-26T23:00:00Z"), utc("2022-03-27T01:00:00Z"), utc("2022-03-27T04:00:00Z")}, spring)
}

func TestHoursInAHalfHourZone(t *testing.T) {
	kolkata := mustLoad(t, "Asia/Kolkata")
	require.Equal(t, utc("2022-01-10T09:30:00Z"), Truncate(utc("2022-01-10T10:29:59Z"), Interval{Hour, 1}, kolkata).UTC())
	require.Equal(t, utc("2022-01-10T10:15:00Z"), Truncate(utc("2022-01-10T10:29:59Z"), Interval{Minute, 15}, kolkata).UTC())
}

func TestWeeksStartOnMonday(t *testing.T) {
	saoPaulo := mustLoad(t, "America/Sao_Paulo")
	// Sunday 2022-01-09 20:00 local (23:00 UTC) belongs to the week of Monday 2022-01-03.
	require.Equal(t, utc("2022-01-03T03:00:00Z"), Truncate(utc("2022-01-09T23:00:00Z"), Interval{Week, 1}, saoPaulo).UTC())
	// Monday 2022-01-10 00:30 local starts the next week.
	require.Equal(t, utc("2022-01-10T03:00:00Z"), Truncate(utc("2022-01-10T03:30:00Z"), Interval{Week, 1}, saoPaulo).UTC())
}

func TestBoundariesCoverPartialBucketsAtBothEnds(t *testing.T) {
	got, err := Boundaries(utc("2022-01-15T10:00:00Z"), utc("2022-03-02T00:00:00Z"), Interval{Month, 1}, time.UTC)
	require.NoError(t, err)
	require.Equal(t, []time.Time{utc("2022-01-01T00:00:00Z"), utc("2022-02-01T00:00:00Z"),
		utc("2022-03-01T00:00:00Z"), utc("2022-04-01T00:00:00Z")}, got)
}

func TestBoundariesRefuseEmptyRangesAndTooManyBuckets(t *testing.T) {
	_, err := Boundaries(utc("2022-01-02T00:00:00Z"), utc("2022-01-01T00:00:00Z"), Interval{Day, 1}, time.UTC)
	require.ErrorContains(t, err, "time range is empty")

	_, err = Boundaries(utc("2021-01-01T00:00:00Z"), utc("2022-01-01T00:00:00Z"), Interval{Minute, 1}, time.UTC)
	require.ErrorContains(t, err, "more than 20000 buckets")
}

// Alert rules send max data points 43200 at a 1s interval: auto must still
// answer over long ranges, taking the finest ladder interval within the cap.
func TestAutoNeverPassesTheBucketCap(t *testing.T) {
	end := utc("2026-11-30T12:00:00Z")
	cases := []struct {
		name string
		span time.Duration
		want Interval
	}{
		{"14 days", 14 * 24 * time.Hour, Interval{Minute, 15}}, // the slot grain: 1344
		{"90 days", 90 * 24 * time.Hour, Interval{Minute, 15}}, // 8640
		{"1 year", 365 * 24 * time.Hour, Interval{Minute, 30}}, // 15m would be 35040
		{"10 years", 3652 * 24 * time.Hour, Interval{Hour, 6}}, // 3h would be 29216
	}
	madrid := mustLoad(t, "Europe/Madrid")
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, loc := range []*time.Location{time.UTC, madrid} {
				got, boundaries, err := Buckets("auto", end.Add(-c.span), end, loc, time.Second, 43200)
				require.NoError(t, err)
				require.Equal(t, c.want, got)
				require.LessOrEqual(t, len(boundaries)-1, MaxBuckets)
			}
		})
	}
}

func TestNamedIntervalOverTooLongARangeNamesOneThatFits(t *testing.T) {
	from, to := utc("2025-01-01T00:00:00Z"), utc("2026-01-01T00:00:00Z")
	_, _, err := Buckets("minute", from, to, time.UTC, time.Second, 43200)
	require.EqualError(t, err, "interval 1m over this time range makes more than 20000 buckets: choose hour or a coarser interval, or auto")
	// Three years of hours (26280) are too many; days fit.
	_, _, err = Buckets("1h", from, utc("2028-01-01T00:00:00Z"), time.UTC, 0, 0)
	require.EqualError(t, err, "interval 1h over this time range makes more than 20000 buckets: choose day or a coarser interval, or auto")
	// The advice works.
	got, _, err := Buckets("day", from, utc("2028-01-01T00:00:00Z"), time.UTC, 0, 0)
	require.NoError(t, err)
	require.Equal(t, Interval{Day, 1}, got)
	// Even months cannot cover 8000 years: narrow the range.
	_, _, err = Buckets("auto", Earliest, Latest, time.UTC, time.Second, 43200)
	require.ErrorContains(t, err, "too long for a time series of at most 20000 monthly buckets: narrow it to at most 1665 years, or use totals")
	_, _, err = Buckets("minute", Earliest, Latest, time.UTC, time.Second, 43200)
	require.ErrorContains(t, err, "narrow it to at most 1665 years")
}

func TestCheckRange(t *testing.T) {
	require.NoError(t, CheckRange("the time range", Earliest, Latest))
	err := CheckRange("the time range", time.UnixMilli(0), time.UnixMilli(1<<62))
	require.ErrorContains(t, err, "is outside the accepted range: use times from 1970-01-01T00:00:00Z to 10000-01-01T00:00:00Z (years 1970 to 9999)")
	require.ErrorContains(t, CheckRange("the time range", utc("1969-12-31T23:59:59Z"), Earliest.Add(time.Hour)), "outside the accepted range")
	require.EqualError(t, CheckRange("the time range", utc("2022-01-02T00:00:00Z"), utc("2022-01-01T00:00:00Z")),
		"the time range is empty (from 2022-01-02T00:00:00Z to 2022-01-01T00:00:00Z): choose a later end")
}

func TestChoose(t *testing.T) {
	cases := []struct {
		name          string
		interval      string
		span, step    time.Duration
		maxDataPoints int64
		want          Interval
	}{
		{"auto follows max data points", "auto", 24 * time.Hour, time.Minute, 100, Interval{Minute, 15}},
		{"auto follows Grafana's interval", "", 24 * time.Hour, 2 * time.Hour, 1000, Interval{Hour, 3}},
		{"auto over two hours may be finer than a slot", "auto", 2 * time.Hour, time.Minute, 1000, Interval{Minute, 1}},
		{"auto over a longer range takes whole slots", "auto", 24 * time.Hour, time.Minute, 1000, Interval{Minute, 15}},
		{"auto just over two hours takes whole slots", "auto", 2*time.Hour + time.Second, time.Second, 43200, Interval{Minute, 15}},
		{"auto keeps a coarser Grafana interval", "auto", 24 * time.Hour, 30 * time.Minute, 1000, Interval{Minute, 30}},
		{"auto over a year", "auto", 365 * 24 * time.Hour, time.Hour, 60, Interval{Week, 1}},
		{"auto never exceeds a month", "auto", 100 * 365 * 24 * time.Hour, 0, 10, Interval{Month, 1}},
		{"named unit", "day", 0, 0, 0, Interval{Day, 1}},
		{"named unit, any case", "Month", 0, 0, 0, Interval{Month, 1}},
		{"Grafana's month", "1M", 0, 0, 0, Interval{Month, 1}},
		{"Grafana's minute", "1m", 0, 0, 0, Interval{Minute, 1}},
		{"Grafana's week", "1w", 0, 0, 0, Interval{Week, 1}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Choose(c.interval, c.span, c.step, c.maxDataPoints)
			require.NoError(t, err)
			require.Equal(t, c.want, got)
		})
	}
	_, err := Choose("fortnight", 0, 0, 0)
	require.EqualError(t, err, `interval "fortnight" is unknown: use one of auto, minute, hour, day, week, month`)
}

func TestLoadLocation(t *testing.T) {
	for _, name := range []string{"", "utc", "UTC", "browser"} {
		loc, err := LoadLocation(name)
		require.NoError(t, err)
		require.Equal(t, time.UTC, loc)
	}
	_, err := LoadLocation("Mars/Olympus_Mons")
	require.EqualError(t, err, `time zone "Mars/Olympus_Mons" is unknown: use an IANA name such as Europe/Madrid or America/Sao_Paulo`)
	_, err = LoadLocation("Local")
	require.EqualError(t, err, `time zone "Local" is the plugin host's zone, not the dashboard's: use an IANA name such as Europe/Madrid, or UTC`)
	_, err = LoadLocation("Europe/Madrid\x00")
	require.EqualError(t, err, `time zone "Europe/Madrid\x00" contains a NUL byte (\u0000): remove it`)
}
