package catalog

import (
	"math"
	"strings"
	"time"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/timebucket"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/userinput"
)

// The annotation events an annotation query (models.KindAnnotations) can mark.
const (
	// EventMissedBursts marks runs of busy windows of missed conversations.
	EventMissedBursts = "missed_bursts"
	// EventPeakMinutes marks the busiest clock minute of each day.
	EventPeakMinutes = "peak_minutes"
)

// BurstWindow is the window a missed-conversation burst is counted in: the
// 15 minutes the alert rule "Missed conversations spike"
// (provisioning/alerting/chatbot-metrics.yaml) looks at. Windows are aligned
// on UTC quarter hours, which are also the quarter hours of every time zone
// in use (their offsets are multiples of 15 minutes, see SlotLength).
const BurstWindow = 15 * time.Minute

// MaxAnnotationThreshold bounds an annotation query's threshold: beyond it
// no real event qualifies, so a larger one is a mistake.
const MaxAnnotationThreshold = 1_000_000

// AnnotationEvent is one kind of event an annotation query marks.
type AnnotationEvent struct {
	ID    string
	Title string
	// Metric is the catalog metric the event is counted with: its
	// definition, source rows and the dimensions it can be filtered by.
	Metric string
	// GroupBy splits the events by this dimension ("" for none).
	GroupBy string
	// DefaultThreshold applies when the query sets no threshold.
	DefaultThreshold int64
	// Threshold says what the threshold counts, for error messages.
	Threshold string
}

// AnnotationEvents lists the annotation events. Flows have no publish or
// change time in the store (the flows table is an id and a name), so there is
// no event for flow changes.
var AnnotationEvents = []AnnotationEvent{
	{
		// The floor of 5 is the alert rule's: at least 5 missed in 15 minutes.
		ID: EventMissedBursts, Title: "Missed-conversation bursts", Metric: "missed_conversations",
		GroupBy: DimTeam.ID, DefaultThreshold: 5, Threshold: "missed conversations per 15-minute window",
	},
	{
		ID: EventPeakMinutes, Title: "Peak minute of each day", Metric: "peak_messages_per_minute",
		DefaultThreshold: 1, Threshold: "messages in the peak minute",
	},
}

// LookupEvent finds an annotation event by id.
func LookupEvent(id string) (AnnotationEvent, bool) {
	for _, e := range AnnotationEvents {
		if e.ID == id {
			return e, true
		}
	}
	return AnnotationEvent{}, false
}

// EventIDs lists the annotation events' ids, in order.
func EventIDs() []string {
	ids := make([]string, len(AnnotationEvents))
	for i, e := range AnnotationEvents {
		ids[i] = e.ID
	}
	return ids
}

// resolveAnnotation checks an annotation query. Its plan is the event's
// metric with the query's filters, grouped as the event is, over:
//   - missed bursts: the whole 15-minute windows that overlap the range
//     (Boundaries holds their first start and last end);
//   - peak minutes: the calendar days of the query's time zone that overlap
//     the range (Boundaries holds every day's start and the last day's end),
//     as a time series by day would.
//
// The metric, group by, interval and limit fields are not read.
func resolveAnnotation(q models.Query) (Plan, error) {
	if err := userinput.Check("event", q.Event); err != nil {
		return Plan{}, &QueryError{Message: err.Error()}
	}
	ids := strings.Join(EventIDs(), " or ")
	if strings.TrimSpace(q.Event) == "" {
		return Plan{}, queryErrorf("an annotation query needs an event: choose %s", ids)
	}
	event, ok := LookupEvent(q.Event)
	if !ok {
		if hint := DidYouMean(Suggest(q.Event, EventIDs())); hint != "" {
			return Plan{}, queryErrorf("event %s is unknown: %s Otherwise choose %s", userinput.Quote(q.Event), hint, ids)
		}
		return Plan{}, queryErrorf("event %s is unknown: choose %s", userinput.Quote(q.Event), ids)
	}
	metric, ok := Lookup(event.Metric)
	if !ok {
		return Plan{}, queryErrorf("event %s counts metric %s, which is not in the catalog: report this as a bug", event.ID, event.Metric)
	}
	plan := Plan{Metric: metric, Kind: models.KindAnnotations, Event: event.ID, GroupBy: event.GroupBy,
		From: q.TimeRange.From, To: q.TimeRange.To}
	filters, err := checkFilters(metric, q.Filters)
	if err != nil {
		return Plan{}, err
	}
	plan.Filters = filters
	if err := timebucket.CheckRange("the time range", plan.From, plan.To); err != nil {
		return Plan{}, &QueryError{Message: err.Error()}
	}
	if plan.Threshold, err = threshold(q.Threshold, event); err != nil {
		return Plan{}, err
	}
	if plan.Location, err = timebucket.LoadLocation(q.Timezone); err != nil {
		return Plan{}, &QueryError{Message: err.Error()}
	}
	switch event.ID {
	case EventMissedBursts:
		plan.Interval = timebucket.Interval{Unit: timebucket.Minute, Count: int(BurstWindow / time.Minute)}
		last := plan.To.Truncate(BurstWindow)
		if last.Before(plan.To) {
			last = last.Add(BurstWindow)
		}
		plan.Boundaries = []time.Time{plan.From.Truncate(BurstWindow).UTC(), last.UTC()}
	case EventPeakMinutes:
		plan.Interval = timebucket.Interval{Unit: timebucket.Day, Count: 1}
		if plan.Boundaries, err = timebucket.Boundaries(plan.From, plan.To, plan.Interval, plan.Location); err != nil {
			return Plan{}, queryErrorf("%s: narrow the time range", err.Error())
		}
	}
	return plan, nil
}

// threshold is the query's threshold, or the event's default for 0.
func threshold(value float64, event AnnotationEvent) (int64, error) {
	if value == 0 {
		return event.DefaultThreshold, nil
	}
	if value != math.Trunc(value) || value < 1 || value > MaxAnnotationThreshold {
		return 0, queryErrorf("threshold %g is not a whole number from 1 to %d: set the least %s that marks an event (default %d)",
			value, MaxAnnotationThreshold, event.Threshold, event.DefaultThreshold)
	}
	return int64(value), nil
}
