package plugin

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/jackc/pgx/v5"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/userinput"
)

// withDataPlan reads the values resource's optional metric parameter: the
// values of dimension are then only those for which the metric's totals by
// dimension over [from, to) are present and not zero (the teams with missed
// conversations in the range, say). It returns the plan of those totals, nil
// without a metric, or why the request cannot be answered. The plan is the
// query engine's own (catalog.Resolve), so summaries answer it when they can.
func withDataPlan(params url.Values, dimension string, from, to time.Time) (*catalog.Plan, error) {
	given := params["metric"]
	switch {
	case len(given) == 0 || len(given) == 1 && given[0] == "":
		return nil, nil
	case len(given) > 1:
		return nil, fmt.Errorf("metric is given %d times: pass it once", len(given))
	case from.IsZero():
		return nil, fmt.Errorf("metric=%s narrows the values to those with data in a time range: pass from and to as well (epoch milliseconds, as Grafana's time range)",
			userinput.Quote(given[0]))
	}
	id := given[0]
	q := models.Query{Metric: id, QueryType: models.KindTotals, GroupBy: dimension, TimeRange: backend.TimeRange{From: from, To: to}}
	if metric, known := catalog.Lookup(id); known {
		if !slices.Contains(metric.GroupDimensions(), dimension) {
			return nil, cannotNarrow(metric, dimension)
		}
		switch {
		case metric.Supports(models.KindTotals):
		case metric.Supports(models.KindSnapshot):
			q.QueryType = models.KindSnapshot // the groups present at the range's end
		default:
			return nil, fmt.Errorf("metric %s lists records, it has no totals by %s to narrow by: choose a metric with totals or a snapshot", metric.ID, dimension)
		}
	}
	plan, err := catalog.Resolve(q) // an unknown metric: its error names the nearest ids
	if err != nil {
		return nil, err
	}
	return &plan, nil
}

// cannotNarrow says that metric has no groups by dimension, naming the
// metrics near its id that have (a typing mistake, or a shared word).
func cannotNarrow(metric catalog.Metric, dimension string) error {
	var grouping []string
	for _, m := range catalog.Metrics {
		if slices.Contains(m.GroupDimensions(), dimension) && (m.Supports(models.KindTotals) || m.Supports(models.KindSnapshot)) {
			grouping = append(grouping, m.ID)
		}
	}
	if len(grouping) == 0 {
		return fmt.Errorf("metric %s cannot group by %s, and no metric can: %s has no values to narrow", metric.ID, dimension, dimension)
	}
	advice := fmt.Sprintf("choose a metric that groups by %s, such as %s", dimension, strings.Join(grouping[:min(len(grouping), 3)], ", "))
	if hint := catalog.DidYouMean(catalog.Suggest(metric.ID, grouping)); hint != "" {
		advice = hint + " Otherwise " + advice
	}
	return fmt.Errorf("metric %s cannot group by %s, so it cannot narrow the values of %s: %s", metric.ID, dimension, dimension, advice)
}

// serveValuesWithData answers the values resource narrowed by plan (see
// withDataPlan) in workspace, in order: by name, in the catalog's order for a
// closed vocabulary, or by latest activity as the values resource orders them.
func (ds *Datasource) serveValuesWithData(ctx context.Context, w http.ResponseWriter, r *http.Request, workspace sqlbuild.Workspace, plan catalog.Plan,
	order sqlbuild.ValuesOrder) {
	dimension := plan.GroupBy
	listing, fixed := catalog.FixedValues[dimension]
	var listed sqlbuild.Statement
	if !fixed && order == sqlbuild.OrderByRecent {
		var err error
		if listed, _, err = sqlbuild.DimensionValuesOrdered(dimension, workspace, plan.From, plan.To, order); err != nil {
			writeError(w, r, http.StatusBadRequest, err.Error()) // a dimension without activity
			return
		}
	}
	build := sqlbuild.Totals
	if plan.Kind == models.KindSnapshot {
		build = sqlbuild.Snapshot
	}
	statement, err := build(plan, workspace)
	if err != nil {
		writeError(w, r, http.StatusInternalServerError, err.Error())
		return
	}
	var withData []string // by name: totals are ordered by their group
	err = store.Each(ctx, ds.pool, statement.SQL, statement.Args, store.ReadTotaled, func(row store.Totaled) bool {
		if row.Series != "" && row.Value != nil && *row.Value != 0 { // rows without a value (none) are no value to pick
			withData = append(withData, row.Series)
		}
		return true
	})
	if err != nil {
		problem := store.Classify(err, ds.settings)
		writeError(w, r, int(problem.Status), problem.Message)
		return
	}
	values := withData
	if !fixed && order == sqlbuild.OrderByRecent {
		if listing, err = readValues(ctx, ds, listed); err != nil {
			problem := store.Classify(err, ds.settings)
			writeError(w, r, int(problem.Status), problem.Message)
			return
		}
	}
	if fixed || order == sqlbuild.OrderByRecent {
		has := make(map[string]bool, len(withData))
		for _, v := range withData {
			has[v] = true
		}
		values = slices.DeleteFunc(slices.Clone(listing), func(v string) bool { return !has[v] })
	}
	writeJSON(w, r, valuesResponse{Values: append([]string{}, values[:min(len(values), sqlbuild.MaxDimensionValues)]...)})
}

// readValues reads a listing of values.
func readValues(ctx context.Context, ds *Datasource, s sqlbuild.Statement) ([]string, error) {
	values := []string{}
	err := store.Each(ctx, ds.pool, s.SQL, s.Args, pgx.RowTo[string], func(value string) bool {
		values = append(values, value)
		return true
	})
	return values, err
}
