package plugin

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/timebucket"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/userinput"
)

// catalogResponse is what GET resources/catalog returns to the query editor.
type catalogResponse struct {
	Metrics    []catalog.Metric    `json:"metrics"`
	Dimensions []catalog.Dimension `json:"dimensions"`
	Intervals  []string            `json:"intervals"`
}

func (ds *Datasource) serveCatalog(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "use GET", http.StatusMethodNotAllowed)
		return
	}
	writeJSON(w, r, servedCatalog)
}

// servedCatalog is the catalog resource's answer, the same for every request.
var servedCatalog = func() catalogResponse {
	metrics := make([]catalog.Metric, len(catalog.Metrics))
	for i, m := range catalog.Metrics {
		if m.Dimensions == nil {
			m.Dimensions = []string{} // a list, never null, for the editor
		}
		metrics[i] = m
	}
	return catalogResponse{Metrics: metrics, Dimensions: catalog.Dimensions, Intervals: timebucket.Named}
}()

// valuesResponse is what GET resources/dimensions/{dimension}/values returns.
type valuesResponse struct {
	Values []string `json:"values"`
}

// errorResponse carries a resource error's message for the frontend to show.
type errorResponse struct {
	Message string `json:"message"`
}

// serveDimensionValues lists a dimension's values in the workspace, for
// template variables and filter pickers. The optional from and to query
// parameters (epoch milliseconds, as Grafana's time range) narrow the values
// read from events (intents, languages, closing reasons) to that range; the
// optional order is name (the default) or recent (latest activity first); the
// optional metric keeps the values for which that metric has data in the range.
func (ds *Datasource) serveDimensionValues(w http.ResponseWriter, r *http.Request) {
	dimension := r.PathValue("dimension")
	d, known := catalog.LookupDimension(dimension)
	if !known {
		writeError(w, r, http.StatusNotFound, fmt.Sprintf("dimension %s is unknown: use one of the dimension ids the catalog resource lists", userinput.Quote(dimension)))
		return
	}
	from, to, err := valuesRange(r.URL.Query())
	if err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	withData, err := withDataPlan(r.URL.Query(), dimension, from, to)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if d.FilterOnly {
		// A text search has no vocabulary: an empty list, so that a picker
		// takes typed values and a template variable offers none.
		writeJSON(w, r, valuesResponse{Values: []string{}})
		return
	}
	if ds.settingsErr != nil {
		writeError(w, r, http.StatusBadRequest, ds.settingsErr.Error())
		return
	}
	ctx, cancel := store.WithDeadline(r.Context(), time.Now().Add(store.Bound(ds.settings)))
	defer cancel()
	if problem := ds.checkReadOnlyRole(ctx); problem != nil {
		writeError(w, r, int(problem.Status), problem.Message)
		return
	}
	workspace, err := ds.checkWorkspace(ctx)
	if err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	order, err := sqlbuild.ParseValuesOrder(r.URL.Query().Get("order"))
	if err != nil {
		writeError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	if withData != nil { // only the values for which a metric has data
		ds.serveValuesWithData(ctx, w, r, workspace, *withData, order)
		return
	}
	if values, fixed := catalog.FixedValues[dimension]; fixed { // a closed vocabulary, in its own order
		writeJSON(w, r, valuesResponse{Values: values})
		return
	}
	statement, _, err := sqlbuild.DimensionValuesOrdered(dimension, workspace, from, to, order)
	if err != nil {
		status := http.StatusInternalServerError
		if order == sqlbuild.OrderByRecent {
			status = http.StatusBadRequest // a dimension without activity: the request's fault
		}
		writeError(w, r, status, err.Error())
		return
	}
	var values []string
	served, err := ds.reads.Read(ctx, func(pool *pgxpool.Pool) error {
		values = []string{}
		return store.Each(ctx, pool, statement.SQL, statement.Args, pgx.RowTo[string], func(value string) bool {
			values = append(values, value)
			return true
		})
	})
	ds.replicaNotices(ctx, served) // logged: a resource answer has no notices
	if err != nil {
		problem := store.Classify(err, served.Settings)
		writeError(w, r, int(problem.Status), problem.Message)
		return
	}
	writeJSON(w, r, valuesResponse{Values: values})
}

// valuesRange reads the optional from and to parameters (epoch
// milliseconds). Either both or neither are given; given, they must lie in
// the range queries accept (timebucket.CheckRange) with from before to.
func valuesRange(params url.Values) (time.Time, time.Time, error) {
	from, fromErr := epochMillis("from", params)
	to, toErr := epochMillis("to", params)
	if err := errors.Join(fromErr, toErr); err != nil {
		return time.Time{}, time.Time{}, err
	}
	switch {
	case from.IsZero() && to.IsZero():
		return from, to, nil
	case from.IsZero() || to.IsZero():
		return time.Time{}, time.Time{}, errors.New("from and to go together: pass both (epoch milliseconds, as Grafana's time range) or neither")
	}
	if err := timebucket.CheckRange("the range of from and to", from, to); err != nil {
		return time.Time{}, time.Time{}, err
	}
	return from, to, nil
}

// epochMillis reads the optional time parameter name, in epoch milliseconds.
func epochMillis(name string, params url.Values) (time.Time, error) {
	all := params[name]
	if len(all) == 0 {
		return time.Time{}, nil
	}
	text := all[0]
	if text == "" && len(all) == 1 {
		return time.Time{}, nil
	}
	if len(all) > 1 {
		return time.Time{}, fmt.Errorf("%s is given %d times: pass it once", name, len(all))
	}
	ms, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		return time.Time{}, fmt.Errorf("%s %s is not in epoch milliseconds: pass from and to as whole numbers, as Grafana's time range", name, userinput.Quote(text))
	}
	return time.UnixMilli(ms), nil
}

func writeError(w http.ResponseWriter, r *http.Request, status int, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(errorResponse{Message: message}); err != nil {
		log.DefaultLogger.FromContext(r.Context()).Error("writing resource error", "error", err)
	}
}

func writeJSON(w http.ResponseWriter, r *http.Request, body any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(body); err != nil {
		log.DefaultLogger.FromContext(r.Context()).Error("writing resource response", "error", err)
	}
}
