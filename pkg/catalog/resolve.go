package catalog

import (
	"fmt"
	"strings"
	"time"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/timebucket"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/userinput"
)

// Plan is a query checked against the catalog: everything SQL building needs.
type Plan struct {
	Metric     Metric
	Kind       models.QueryKind
	GroupBy    string // a dimension id, or "" for one series
	Filters    []models.Filter
	Interval   timebucket.Interval
	Location   *time.Location
	From, To   time.Time
	Boundaries []time.Time // time series: bucket boundaries, n buckets, n+1 times
	Limit      int         // ranking: how many rows
	// TargetSeconds is the service level target (see ParamTargetSeconds).
	TargetSeconds float64
	// ConversationID is the transcript's conversation.
	ConversationID int64
	// Event and Threshold are an annotation query's (see AnnotationEvents).
	Event     string
	Threshold int64
	// Compare is the previous period to answer beside this one, or nil.
	Compare *Comparison
}

// QueryError is a problem with the query itself: the user can fix it in the editor.
type QueryError struct{ Message string }

func (e *QueryError) Error() string { return e.Message }

func queryErrorf(format string, args ...any) error {
	return &QueryError{Message: fmt.Sprintf(format, args...)}
}

// Resolve checks q against the catalog and computes its buckets.
func Resolve(q models.Query) (Plan, error) {
	if err := checkText(q); err != nil {
		return Plan{}, err
	}
	if q.QueryType == models.KindAnnotations {
		if strings.TrimSpace(q.Compare) != CompareOff {
			return Plan{}, queryErrorf("annotations are not compared with a previous period: remove compare")
		}
		return resolveAnnotation(q) // named by an event, not a metric
	}
	if strings.TrimSpace(q.Metric) == "" {
		return Plan{}, queryErrorf("no metric chosen: pick a metric in the query editor")
	}
	metric, ok := Lookup(q.Metric)
	if !ok {
		if hint := DidYouMean(Suggest(q.Metric, MetricIDs())); hint != "" {
			return Plan{}, queryErrorf("metric %s is unknown: %s Otherwise choose one of the %d metrics the query editor lists (resource catalog)", userinput.Quote(q.Metric), hint, len(Metrics))
		}
		return Plan{}, queryErrorf("metric %s is unknown: choose one of the %d metrics the query editor lists (resource catalog)", userinput.Quote(q.Metric), len(Metrics))
	}
	if !metric.Supports(q.QueryType) {
		return Plan{}, queryErrorf("metric %q cannot be queried as %s: it supports %s", metric.ID, userinput.Quote(string(q.QueryType)), joinKinds(metric.Kinds))
	}
	plan := Plan{Metric: metric, Kind: q.QueryType, From: q.TimeRange.From, To: q.TimeRange.To}

	if q.GroupBy != "" {
		if err := checkDimension(metric, q.GroupBy, "group by"); err != nil {
			return Plan{}, err
		}
		if d, _ := LookupDimension(q.GroupBy); d.FilterOnly {
			return Plan{}, queryErrorf("dimension %s only filters, it cannot be a group by: remove the group by and filter by %s instead", d.ID, d.ID)
		}
		plan.GroupBy = q.GroupBy
	}
	filters, err := checkFilters(metric, q.Filters)
	if err != nil {
		return Plan{}, err
	}
	plan.Filters = filters

	if err := timebucket.CheckRange("the time range", plan.From, plan.To); err != nil {
		return Plan{}, &QueryError{Message: err.Error()}
	}
	if metric.ID == MetricTranscript {
		if q.ConversationID <= 0 {
			return Plan{}, queryErrorf("a transcript needs a conversationId: set the conversation's id (the dialogs table's id column)")
		}
		plan.ConversationID = int64(q.ConversationID)
	}
	if plan.Kind == models.KindRecords {
		if plan.GroupBy != "" {
			return Plan{}, queryErrorf("records are not grouped: remove the group by, or use totals")
		}
		plan.Limit = q.Limit
		if plan.Limit == 0 {
			plan.Limit = models.DefaultRecordsLimit
		}
		if plan.Limit < 1 || plan.Limit > models.MaxRecordsLimit {
			return Plan{}, queryErrorf("limit %d is out of range: list 1 to %d records", q.Limit, models.MaxRecordsLimit)
		}
	}
	if plan.Kind == models.KindRanking {
		if plan.GroupBy == "" {
			return Plan{}, queryErrorf("a ranking needs a group by: rank by one of %s", strings.Join(metric.GroupDimensions(), ", "))
		}
		plan.Limit = q.Limit
		if plan.Limit == 0 {
			plan.Limit = models.DefaultRankingLimit
		}
		if plan.Limit < 1 || plan.Limit > models.MaxRankingLimit {
			return Plan{}, queryErrorf("limit %d is out of range: rank 1 to %d rows", q.Limit, models.MaxRankingLimit)
		}
	}
	plan.TargetSeconds = q.TargetSeconds
	if plan.TargetSeconds == 0 {
		plan.TargetSeconds = models.DefaultTargetSeconds
	}
	if plan.TargetSeconds < 1 || plan.TargetSeconds > 7*24*3600 {
		return Plan{}, queryErrorf("targetSeconds %g is out of range: use 1 second to 7 days (604800)", q.TargetSeconds)
	}

	loc, err := timebucket.LoadLocation(q.Timezone)
	if err != nil {
		return Plan{}, &QueryError{Message: err.Error()}
	}
	plan.Location = loc
	if plan.Kind != models.KindTimeSeries {
		return withComparison(q, plan) // totals and rankings cover exactly the time range: no buckets
	}
	plan.Interval, plan.Boundaries, err = timebucket.Buckets(q.Interval, plan.From, plan.To, loc, q.GrafanaStep, q.MaxDataPoints)
	if err != nil {
		return Plan{}, &QueryError{Message: err.Error()}
	}
	return withComparison(q, plan)
}

// checkFilters checks a query's filters against what metric allows and
// drops their empty and repeated values.
func checkFilters(metric Metric, filters []models.Filter) ([]models.Filter, error) {
	if len(filters) > models.MaxFilters {
		return nil, queryErrorf("the query has %d filters, more than %d: put the values of one dimension in one filter", len(filters), models.MaxFilters)
	}
	var out []models.Filter
	for _, f := range filters {
		if err := checkDimension(metric, f.Dimension, "filter by"); err != nil {
			return nil, err
		}
		if len(f.Values) > models.MaxFilterValues {
			return nil, queryErrorf("the %s filter has %d values, more than %d: choose fewer values, or remove the filter to keep every value (an \"All\" variable needs no filter)",
				f.Dimension, len(f.Values), models.MaxFilterValues)
		}
		values := nonEmpty(f.Values)
		if len(values) == 0 {
			return nil, queryErrorf("the %s filter has no values: add a value or remove the filter", f.Dimension)
		}
		out = append(out, models.Filter{Dimension: f.Dimension, Values: values, Exclude: f.Exclude})
	}
	return out, nil
}

// checkText refuses, before anything else reads them, text fields that
// PostgreSQL could not take as parameters: a NUL byte or invalid UTF-8 would
// otherwise come back from the store as a 502 "invalid byte sequence".
func checkText(q models.Query) error {
	fields := []struct{ name, value string }{
		{"metric", q.Metric}, {"queryType", string(q.QueryType)}, {"groupBy", q.GroupBy},
		{"interval", q.Interval}, {"timezone", q.Timezone},
	}
	for _, f := range fields {
		if err := userinput.Check(f.name, f.value); err != nil {
			return &QueryError{Message: err.Error()}
		}
	}
	for i, f := range q.Filters {
		if err := userinput.Check(fmt.Sprintf("filter %d's dimension", i+1), f.Dimension); err != nil {
			return &QueryError{Message: err.Error()}
		}
		for _, v := range f.Values {
			if err := userinput.Check("the "+userinput.Quote(f.Dimension)+" filter's value", v); err != nil {
				return &QueryError{Message: err.Error()}
			}
		}
	}
	return nil
}

// checkDimension refuses a dimension the catalog does not know or the metric
// does not allow, naming those it allows (for a group by, those that group).
func checkDimension(metric Metric, id, verb string) error {
	allowed := metric.Dimensions
	if verb == "group by" {
		allowed = metric.GroupDimensions()
	}
	if _, known := LookupDimension(id); !known {
		if hint := DidYouMean(Suggest(id, allowed)); hint != "" {
			return queryErrorf("dimension %s is unknown: %s Metric %s can %s %s", userinput.Quote(id), hint, metric.ID, verb, strings.Join(allowed, ", "))
		}
		return queryErrorf("dimension %s is unknown: metric %s can %s %s", userinput.Quote(id), metric.ID, verb, strings.Join(allowed, ", "))
	}
	if !metric.Allows(id) {
		return queryErrorf("metric %s cannot %s %s: use one of %s", metric.ID, verb, id, strings.Join(allowed, ", "))
	}
	return nil
}

func nonEmpty(values []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, v := range values {
		if v != "" && !seen[v] {
			seen[v] = true
			out = append(out, v)
		}
	}
	return out
}

func joinKinds(kinds []models.QueryKind) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}
