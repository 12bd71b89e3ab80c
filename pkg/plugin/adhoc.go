package plugin

import (
	"net/http"
	"slices"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// warnings are texts as a frame's warning notices, which panels show in
// their header and Explore above the result: the dashboard's ad hoc filters
// the query's metric could not apply (catalog.ApplyAdHocFilters).
func warnings(texts []string) []data.Notice {
	notices := make([]data.Notice, len(texts))
	for i, text := range texts {
		notices[i] = data.Notice{Severity: data.NoticeSeverityWarning, Text: text}
	}
	return notices
}

// tagKey is one key an ad hoc filter offers: a dimension, its title as the
// text and its id as the value (what the filter's key then is).
type tagKey struct {
	Text  string `json:"text"`
	Value string `json:"value"`
}

// tagKeysResponse is what GET resources/tag-keys returns.
type tagKeysResponse struct {
	Keys []tagKey `json:"keys"`
}

// serveTagKeys lists the keys of the dashboard's ad hoc filters: every
// dimension with values to pick, or with metric parameters (the metrics of
// the dashboard's queries) those that at least one of them can filter by, in
// the catalog's order. A filter-only dimension (message_text) is left out: it
// has no values to pick, and "=" would mean "contains". Metric ids the
// catalog does not know (a variable not replaced, say) are skipped; with none
// known, every dimension is offered.
func serveTagKeys(w http.ResponseWriter, r *http.Request) {
	var metrics []catalog.Metric
	for _, id := range r.URL.Query()["metric"] {
		if m, ok := catalog.Lookup(id); ok {
			metrics = append(metrics, m)
		}
	}
	keys := []tagKey{}
	for _, d := range catalog.Dimensions {
		if d.FilterOnly {
			continue
		}
		used := len(metrics) == 0 || slices.ContainsFunc(metrics, func(m catalog.Metric) bool { return m.Allows(d.ID) })
		if used {
			keys = append(keys, tagKey{Text: d.Title, Value: d.ID})
		}
	}
	writeJSON(w, r, tagKeysResponse{Keys: keys})
}
