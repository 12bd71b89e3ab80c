package catalog

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/userinput"
)

// ApplyAdHocFilters adds the dashboard's ad hoc filters (q.AdHocFilters) to
// the query's own filters, each one the query's metric can apply: = and =|
// keep the rows with one of the values, != and !=| keep the others (rows
// without a value for the dimension among them). An ad hoc filter on a
// dimension the query already filters narrows it further: both apply (AND).
//
// A dashboard's ad hoc filters go to every query of the data source, and not
// every metric has every dimension, so a filter the metric cannot apply is
// not an error: it is left out, and the returned notices say which and why,
// for the query's frame. A query whose metric is unknown is returned as it
// is, for Resolve to refuse.
func ApplyAdHocFilters(q models.Query) (models.Query, []string) {
	id := q.Metric
	if q.QueryType == models.KindAnnotations {
		// An annotation's filters are its event's metric's: a dashboard's
		// filters narrow its bursts as they narrow its panels.
		if event, found := LookupEvent(q.Event); found {
			id = event.Metric
		}
	}
	metric, ok := Lookup(id)
	if !ok || len(q.AdHocFilters) == 0 {
		return q, nil
	}
	var notices []string
	filters := append([]models.Filter{}, q.Filters...)
	for _, f := range q.AdHocFilters {
		filter, problem := adHocFilter(metric, f)
		if problem == "" && len(filters) >= models.MaxFilters {
			problem = fmt.Sprintf("the query already has %d filters, the most it takes", models.MaxFilters)
		}
		if problem != "" {
			notices = append(notices, fmt.Sprintf("ad hoc filter %s is not applied: %s", describeAdHoc(f), problem))
			continue
		}
		filters = append(filters, filter)
	}
	q.Filters = filters
	return q, notices
}

// adHocFilter is f as a filter of metric, or why metric cannot apply it.
func adHocFilter(metric Metric, f models.AdHocFilter) (models.Filter, string) {
	var values []string
	switch f.Operator {
	case models.AdHocEquals, models.AdHocNotEquals:
		values = []string{f.Value}
	case models.AdHocOneOf, models.AdHocNotOneOf:
		values = f.Values
		if len(values) == 0 {
			values = []string{f.Value}
		}
	default:
		return models.Filter{}, fmt.Sprintf("operator %s is not supported: use = or != (=| and !=| for several values); "+
			"this data source compares whole values, without regular expressions or order", printable(f.Operator))
	}
	if _, known := LookupDimension(f.Key); !known {
		hint := DidYouMean(Suggest(f.Key, metric.Dimensions))
		if hint != "" {
			hint = " (" + hint + ")"
		}
		return models.Filter{}, fmt.Sprintf("dimension %s is unknown%s", userinput.Quote(f.Key), hint)
	}
	if len(metric.Dimensions) == 0 {
		return models.Filter{}, fmt.Sprintf("%s takes no filters", metric.ID)
	}
	if !metric.Allows(f.Key) {
		return models.Filter{}, fmt.Sprintf("%s cannot be filtered by %s (it can by: %s)", metric.ID, f.Key, strings.Join(metric.Dimensions, ", "))
	}
	values = nonEmpty(values)
	if len(values) == 0 {
		return models.Filter{}, "it has no value"
	}
	exclude := f.Operator == models.AdHocNotEquals || f.Operator == models.AdHocNotOneOf
	return models.Filter{Dimension: f.Key, Values: values, Exclude: exclude}, ""
}

// describeAdHoc writes an ad hoc filter as the dashboard shows it:
// "team = Sales", "platform =| whatsapp, webchat".
func describeAdHoc(f models.AdHocFilter) string {
	value := printable(f.Value)
	if len(f.Values) > 0 && (f.Operator == models.AdHocOneOf || f.Operator == models.AdHocNotOneOf) {
		shown := make([]string, 0, min(len(f.Values), 5))
		for _, v := range f.Values[:min(len(f.Values), 5)] {
			shown = append(shown, printable(v))
		}
		value = strings.Join(shown, ", ")
		if len(f.Values) > 5 {
			value += fmt.Sprintf(" and %d more", len(f.Values)-5)
		}
	}
	return printable(f.Key) + " " + printable(f.Operator) + " " + value
}

// printable is s as it is when it reads plainly, or quoted (control
// characters and invalid UTF-8 escaped, cut to userinput.MaxEcho).
func printable(s string) string {
	plain := s != "" && utf8.ValidString(s) && utf8.RuneCountInString(s) <= userinput.MaxEcho &&
		strings.IndexFunc(s, func(r rune) bool { return !unicode.IsPrint(r) }) < 0
	if plain {
		return s
	}
	return userinput.Quote(s)
}
