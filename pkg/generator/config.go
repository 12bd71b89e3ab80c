package generator

import (
	"errors"
	"fmt"
	"strings"
	"time"
)

// Config are the scale knobs; zero values take the documented defaults.
type Config struct {
	Seed       uint64    // same seed + same config => byte-identical data
	Start      time.Time // first day (UTC midnight); default 2022-01-01
	Days       int       // default 90
	Contacts   int       // contacts per workspace; default 2000
	Workspaces int       // default 1; slugs "demo", "demo-2", "demo-3", ...
	Agents     int       // per workspace, default 12

	// Until, when set, ends the period at that instant instead of at the end
	// of its last day: nothing happens at or after it, and whatever is still
	// going on then stays open (conversations, unaccepted assignments,
	// agents' presence), as in a live store read at that instant. Start is
	// then derived: the UTC midnight Days days before Until, so the period
	// holds Days whole days and a partial last day. Start and Until cannot
	// both be set.
	Until time.Time

	// MissedSpike names a team ("Sales", "Support" or "Tech") whose queue
	// fails just before the period ends: a burst of missed hand-offs in the
	// last 40 minutes (SpikeMissedLast15 of them in the last 15 minutes) and
	// SpikeWaiting customers still waiting at the end. Empty: no spike. See
	// spike.go.
	MissedSpike string
}

// Defaults and limits of Config. The limits only keep a typo from asking for
// terabytes: about one million messages take 57 000 contacts over 90 days.
const (
	DefaultDays       = 90
	DefaultContacts   = 2000
	DefaultWorkspaces = 1
	DefaultAgents     = 12

	MaxDays       = 3660
	MaxContacts   = 2_000_000
	MaxWorkspaces = 1000
	MaxAgents     = 1000
)

// DefaultStart is the first day when Config.Start is zero.
var DefaultStart = time.Date(2022, time.January, 1, 0, 0, 0, 0, time.UTC)

// historyDays is how far before Start the store begins: contacts who already
// existed wrote for the first time up to this many days earlier.
const historyDays = 60

// normalized fills in the defaults and checks the ranges.
func (c Config) normalized() (Config, error) {
	if !c.Until.IsZero() {
		if !c.Start.IsZero() {
			return c, errors.New("generator: set Start or Until, not both (Until counts Days back from itself)")
		}
		c.Until = c.Until.UTC().Truncate(time.Millisecond) // the generator's resolution
		if c.Days < 0 || c.Days > MaxDays {
			return c, fmt.Errorf("generator: Days must be 1 to %d (or 0 for the default %d), got %d", MaxDays, DefaultDays, c.Days)
		}
		days := c.Days
		if days == 0 {
			days = DefaultDays
		}
		y, m, d := c.Until.Date()
		c.Start = time.Date(y, m, d-days, 0, 0, 0, 0, time.UTC)
	}
	if c.Start.IsZero() {
		c.Start = DefaultStart
	}
	c.Start = c.Start.UTC()
	if c.Start.Hour() != 0 || c.Start.Minute() != 0 || c.Start.Second() != 0 || c.Start.Nanosecond() != 0 {
		return c, fmt.Errorf("generator: Start must be a UTC midnight, got %s", c.Start.Format(time.RFC3339Nano))
	}
	if y := c.Start.Year(); y < 1971 || y > 2200 {
		return c, fmt.Errorf("generator: Start %s is out of range (years 1971 to 2200)", c.Start.Format(time.DateOnly))
	}
	for _, f := range []struct {
		name       string
		value      *int
		def, limit int
	}{
		{"Days", &c.Days, DefaultDays, MaxDays},
		{"Contacts", &c.Contacts, DefaultContacts, MaxContacts},
		{"Workspaces", &c.Workspaces, DefaultWorkspaces, MaxWorkspaces},
		{"Agents", &c.Agents, DefaultAgents, MaxAgents},
	} {
		switch {
		case *f.value == 0:
			*f.value = f.def
		case *f.value < 1:
			return c, fmt.Errorf("generator: %s must be at least 1 (or 0 for the default %d), got %d", f.name, f.def, *f.value)
		case *f.value > f.limit:
			return c, fmt.Errorf("generator: %s must be at most %d, got %d", f.name, f.limit, *f.value)
		}
	}
	if c.MissedSpike != "" && teamIndex(c.MissedSpike) < 0 {
		return c, fmt.Errorf("generator: MissedSpike %q is not a team: use one of %s", c.MissedSpike, strings.Join(teamNames(), ", "))
	}
	return c, nil
}

// Validate reports what Load would refuse in c, before anything is loaded or deleted.
func (c Config) Validate() error {
	_, err := c.normalized()
	return err
}

// end is the instant the period ends (exclusive), in Unix milliseconds: Until
// when set, else the midnight after the last day.
func (c Config) end() int64 {
	if !c.Until.IsZero() {
		return c.Until.UnixMilli()
	}
	return c.Start.UnixMilli() + int64(c.Days)*day
}

// Slugs are the workspace slugs cfg generates, in order.
func (c Config) Slugs() []string {
	n := c.Workspaces
	if n <= 0 {
		n = DefaultWorkspaces
	}
	slugs := make([]string, n)
	for i := range slugs {
		slugs[i] = slugOf(i + 1)
	}
	return slugs
}

// Stats reports what was loaded.
type Stats struct {
	Rows    map[string]int64 // rows per table
	Elapsed time.Duration    // generation and loading, commit included
}

// Total is the number of rows loaded into all tables.
func (s Stats) Total() int64 {
	var n int64
	for _, v := range s.Rows {
		n += v
	}
	return n
}

// RowsPerSecond is Total over Elapsed; 0 when nothing was timed.
func (s Stats) RowsPerSecond() float64 {
	if s.Elapsed <= 0 {
		return 0
	}
	return float64(s.Total()) / s.Elapsed.Seconds()
}

// ErrWorkspaceExists is returned (wrapped) when a slug to generate is already in the store.
var ErrWorkspaceExists = errors.New("workspace already exists")
