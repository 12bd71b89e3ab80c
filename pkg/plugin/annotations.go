package plugin

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/frames"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
)

// burstRow is one row of sqlbuild.Annotations for missed bursts.
type burstRow struct {
	Team    string
	TeamID  *int64
	Starts  time.Time
	Ends    time.Time
	Missed  float64
	Windows int64
	Busiest float64
}

// peakRow is one row of sqlbuild.Annotations for peak minutes.
type peakRow struct {
	Day      int
	At       time.Time
	Messages float64
}

// runAnnotations reads an annotation query's events and frames them, as many
// as fit the budget, in the order the statement gives them.
func runAnnotations(ctx context.Context, pool *pgxpool.Pool, plan catalog.Plan, s sqlbuild.Statement, budget *frames.Budget) (*data.Frame, error) {
	var events []frames.Event
	keep := func(e frames.Event) bool {
		if !budget.Take(frames.EventBytes(e)) {
			return false
		}
		events = append(events, e)
		return true
	}
	var err error
	switch plan.Event {
	case catalog.EventMissedBursts:
		err = store.Each(ctx, pool, s.SQL, s.Args, pgx.RowToStructByPos[burstRow], func(row burstRow) bool {
			return keep(burstEvent(plan, row))
		})
	case catalog.EventPeakMinutes:
		err = store.Each(ctx, pool, s.SQL, s.Args, pgx.RowToStructByPos[peakRow], func(row peakRow) bool {
			return keep(peakEvent(plan, row))
		})
	default:
		err = fmt.Errorf("annotation event %q has no reader", plan.Event)
	}
	if err != nil {
		return nil, err
	}
	return frames.Annotations(plan.Event, events, s.SQL), nil
}

// burstEvent is a region over the burst's windows, such as
// "5 missed conversations · Sales", tagged missed and team:Sales.
func burstEvent(plan catalog.Plan, row burstRow) frames.Event {
	team := row.Team
	if team == "" {
		team = frames.NoValueLabel // assignments queued to no team
	}
	missed := count(row.Missed, "missed conversation", "missed conversations")
	windows := count(float64(row.Windows), "window", "windows")
	return frames.Event{
		Time: row.Starts, TimeEnd: row.Ends,
		Title: missed + frames.SeriesSeparator + team,
		Text: fmt.Sprintf("Team %s: %s from %s to %s (%s), %s of %d minutes with at least %d each; the busiest had %s.",
			team, missed, clock(row.Starts, plan.Location), clock(row.Ends, plan.Location), plan.Location,
			windows, int(catalog.BurstWindow.Minutes()), plan.Threshold, strconv.FormatFloat(row.Busiest, 'f', -1, 64)),
		Tags: []string{"missed", "team:" + team},
	}
}

// peakEvent is a point at the day's busiest minute, such as
// "Peak: 57 messages/min", tagged peak.
func peakEvent(plan catalog.Plan, row peakRow) frames.Event {
	day := ""
	if row.Day >= 1 && row.Day <= len(plan.Boundaries)-1 {
		day = plan.Boundaries[row.Day-1].In(plan.Location).Format("Monday 2006-01-02")
	}
	messages := count(row.Messages, "message", "messages")
	return frames.Event{
		Time: row.At, TimeEnd: row.At,
		Title: "Peak: " + count(row.Messages, "message/min", "messages/min"),
		Text: fmt.Sprintf("The busiest minute of %s (%s): %s at %s.",
			day, plan.Location, messages, row.At.In(plan.Location).Format("15:04")),
		Tags: []string{"peak"},
	}
}

// count is n with its noun: "1 window", "3 windows".
func count(n float64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.FormatFloat(n, 'f', -1, 64) + " " + many
}

// clock is t in loc as a date and time of day.
func clock(t time.Time, loc *time.Location) string {
	return t.In(loc).Format("2006-01-02 15:04")
}
