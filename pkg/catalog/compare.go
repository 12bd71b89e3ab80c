package catalog

import (
	"fmt"
	"strings"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/timebucket"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/userinput"
)

// The values of the query's compare field that are not offsets.
const (
	// CompareOff is no comparison.
	CompareOff = ""
	// ComparePrevious is the period just before the range: see timebucket.Previous.
	ComparePrevious = "previous"
)

// CompareMode says what a comparison answers.
type CompareMode string

// The compare modes.
const (
	// CompareBoth answers both periods: the previous period's series beside
	// the current ones, or a row per period in totals.
	CompareBoth CompareMode = ""
	// CompareChange answers the relative change (current - previous) /
	// previous, as a fraction (0.12 is +12 %), one value per group: what an
	// alert rule thresholds.
	CompareChange CompareMode = "change"
	// CompareDifference answers current - previous in the metric's unit.
	CompareDifference CompareMode = "difference"
)

// Comparison is a plan's previous period: the offset that leads to it, what
// to answer, and the plan over the shifted range, resolved like the current
// one (the same interval, filters and group), so that it goes through the
// same SQL building, summaries included.
type Comparison struct {
	Offset   timebucket.Offset
	Mode     CompareMode
	Previous Plan
}

// Label names the previous period in display names: "previous month", "7 days earlier".
func (c *Comparison) Label() string { return c.Offset.Describe() }

// withComparison adds the query's comparison, if any, to a resolved plan.
func withComparison(q models.Query, plan Plan) (Plan, error) {
	for _, f := range []struct{ name, value string }{{"compare", q.Compare}, {"compareMode", q.CompareMode}} {
		if err := userinput.Check(f.name, f.value); err != nil {
			return Plan{}, &QueryError{Message: err.Error()}
		}
	}
	text := strings.TrimSpace(q.Compare)
	mode := CompareMode(strings.TrimSpace(q.CompareMode))
	switch mode {
	case CompareBoth, CompareChange, CompareDifference:
	default:
		return Plan{}, queryErrorf("compareMode %s is unknown: use change, difference, or leave it empty for both periods", userinput.Quote(q.CompareMode))
	}
	if text == CompareOff {
		if mode != CompareBoth {
			return Plan{}, queryErrorf("compareMode %s needs a comparison: set compare to previous or an offset such as 7d, or remove compareMode", mode)
		}
		return plan, nil
	}
	if plan.Kind == models.KindRecords {
		return Plan{}, queryErrorf("records are not compared with a previous period: remove compare, or use totals or a time series")
	}
	var offset timebucket.Offset
	if strings.EqualFold(text, ComparePrevious) {
		offset = timebucket.Previous(plan.From, plan.To, plan.Location)
	} else {
		var err error
		if offset, err = timebucket.ParseOffset(text); err != nil {
			return Plan{}, &QueryError{Message: err.Error()}
		}
	}

	previous := plan
	previous.From = offset.Back(plan.From, plan.Location)
	previous.To = offset.Back(plan.To, plan.Location)
	if err := timebucket.CheckRange("the previous period", previous.From, previous.To); err != nil {
		return Plan{}, queryErrorf("compare %s: %s", userinput.Quote(q.Compare), err)
	}
	if plan.Kind == models.KindRanking {
		// Every group's previous value, not only the previous top ones: the
		// current ranking's groups are looked up in it.
		previous.Kind = models.KindTotals
	}
	if plan.Kind == models.KindTimeSeries {
		// The current interval, even when auto chose it, so that the i-th
		// buckets of both periods are the same calendar unit.
		boundaries, err := timebucket.Boundaries(previous.From, previous.To, plan.Interval, plan.Location)
		if err != nil {
			return Plan{}, queryErrorf("compare %s: the previous period: %s", userinput.Quote(q.Compare), err)
		}
		previous.Boundaries = boundaries
	}
	plan.Compare = &Comparison{Offset: offset, Mode: mode, Previous: previous}
	return plan, nil
}

// PeriodLabel is the label that tells the two periods of a comparison apart.
const PeriodLabel = "period"

// The values of PeriodLabel.
const (
	PeriodCurrent  = "current"
	PeriodPrevious = "previous"
)

// String describes the comparison for the query inspector.
func (c *Comparison) String() string {
	return fmt.Sprintf("%s: %s to %s", c.Label(), c.Previous.From.UTC().Format("2006-01-02T15:04:05.000Z"), c.Previous.To.UTC().Format("2006-01-02T15:04:05.000Z"))
}
