package generator

import (
	"errors"
	"fmt"
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
	return c, nil
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
