// Package plugin is the SDK boundary: one Datasource instance per data source
// settings, fanning queries out to the metric catalog and the store, plus
// health checks and resources.
package plugin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/datasource"
	"github.com/grafana/grafana-plugin-sdk-go/backend/instancemgmt"
	"github.com/grafana/grafana-plugin-sdk-go/backend/log"
	"github.com/grafana/grafana-plugin-sdk-go/backend/resource/httpadapter"
	"github.com/grafana/grafana-plugin-sdk-go/config"
	"github.com/grafana/grafana-plugin-sdk-go/data"
	"github.com/grafana/grafana-plugin-sdk-go/experimental/concurrent"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/frames"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
)

// ID is the plugin id, as in plugin.json.
const ID = "chatbotmetrics-chatbot-datasource"

// Compile-time checks that Datasource serves what Grafana asks of it.
var (
	_ backend.QueryDataHandler      = (*Datasource)(nil)
	_ backend.CheckHealthHandler    = (*Datasource)(nil)
	_ backend.CallResourceHandler   = (*Datasource)(nil)
	_ instancemgmt.InstanceDisposer = (*Datasource)(nil)
)

// Datasource is one configured data source: its settings and its pool.
type Datasource struct {
	settings models.Settings
	// settingsErr is kept instead of failing instance creation, so that each
	// query and the health check can say what to fix.
	settingsErr error
	pool        *pgxpool.Pool
	ref         datasourceRef
	queries     *datasource.QueryTypeMux
	resources   backend.CallResourceHandler
	workspace   workspaceCheck
	role        roleCheck
	// reads sends reads to the replica, or to the primary (whose pool is
	// pool) when there is none or it cannot answer (replica.go).
	reads *store.Reads
	// disposed is set when Grafana drops the instance; its pool is closing.
	disposed atomic.Bool
}

// NewDatasource builds an instance for one data source's settings.
func NewDatasource(ctx context.Context, instance backend.DataSourceInstanceSettings) (instancemgmt.Instance, error) {
	ds := &Datasource{ref: datasourceRef{uid: instance.UID, name: instance.Name}}
	ds.settings, ds.settingsErr = models.LoadSettings(instance)
	if ds.settingsErr == nil {
		ds.reads, ds.settingsErr = store.OpenReads(ctx, ds.settings)
	}
	if ds.reads != nil {
		ds.pool = ds.reads.Primary
	}
	ds.queries = datasource.NewQueryTypeMux()
	for _, kind := range models.Kinds {
		ds.queries.HandleFunc(string(kind), ds.handleConcurrently)
	}
	// An empty query type is a time series; any other unknown type gets its
	// own error from the same per-query path.
	ds.queries.HandleFunc("", ds.handleConcurrently)
	ds.resources = httpadapter.New(ds.routes())
	return ds, nil
}

// Dispose closes the pools when Grafana drops the instance (settings changed).
//
// The SDK's instance manager builds the new instance first and disposes of
// the old one 5 s later, so queries still waiting for one of its connections
// then fail with a closed pool: store.Classify answers them 503, "run it
// again". They are not retried on the new instance: the manager finds an
// instance by the request's settings, and asking it with the waiting
// request's (older) settings would build yet another instance from them.
func (ds *Datasource) Dispose() {
	ds.disposed.Store(true)
	if ds.reads != nil {
		ds.reads.Close()
	}
}

// QueryData answers every query of the request; one bad query never fails the others.
func (ds *Datasource) QueryData(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	return ds.queries.QueryData(ctx, req)
}

// CallResource serves the resources under /api/datasources/uid/<uid>/resources.
func (ds *Datasource) CallResource(ctx context.Context, req *backend.CallResourceRequest, sender backend.CallResourceResponseSender) error {
	return ds.resources.CallResource(ctx, req, sender)
}

func (ds *Datasource) handleConcurrently(ctx context.Context, req *backend.QueryDataRequest) (*backend.QueryDataResponse, error) {
	// Every query's deadline starts when the request arrives, not when its
	// turn comes: queries beyond the pool size wait for a turn, and that
	// wait counts against their own bound, not after the others' bounds.
	deadline := time.Now().Add(store.Bound(ds.settings))
	return concurrent.QueryData(ctx, req, func(ctx context.Context, q concurrent.Query) backend.DataResponse {
		ctx, cancel := store.WithDeadline(ctx, deadline)
		defer cancel()
		return ds.query(ctx, q.DataQuery)
	}, int(ds.settings.MaxConns))
}

// query answers one query. Every failure becomes that query's error response.
func (ds *Datasource) query(ctx context.Context, dq backend.DataQuery) backend.DataResponse {
	logger := log.DefaultLogger.FromContext(ctx)
	if ds.settingsErr != nil {
		return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, ds.settingsErr.Error())
	}
	if ds.disposed.Load() {
		return backend.ErrDataResponseWithSource(store.StatusUnavailable, backend.ErrorSourceDownstream, store.SettingsChangedMessage)
	}
	if problem := ds.checkReadOnlyRole(ctx); problem != nil {
		return backend.ErrDataResponseWithSource(problem.Status, problem.Source, problem.Message)
	}
	workspace, err := ds.checkWorkspace(ctx)
	if err != nil {
		return badQuery(err)
	}
	q, err := models.ParseQuery(dq)
	if err != nil {
		return badQuery(err)
	}
	q, adHocNotApplied := catalog.ApplyAdHocFilters(q)
	plan, err := catalog.Resolve(q)
	if err != nil {
		return badQuery(err)
	}
	answer, ok := answers[plan.Kind]
	if !ok {
		return badQuery(fmt.Errorf("query type %q is unknown: use %s", plan.Kind, kindNames()))
	}
	statement, err := answer.build(plan, workspace)
	if err == nil && plan.Compare != nil {
		answer, statement, err = compared(answer, plan, workspace, statement)
	}
	if err != nil {
		logger.Error("building SQL", "refId", dq.RefID, "metric", plan.Metric.ID, "error", err)
		return backend.ErrDataResponseWithSource(backend.StatusInternal, backend.ErrorSourcePlugin, err.Error())
	}
	var frame *data.Frame
	var budget *frames.Budget
	served, err := ds.reads.Read(ctx, func(pool *pgxpool.Pool) (err error) {
		budget = ds.budget(ctx) // afresh when the primary answers in the replica's stead
		frame, err = answer.run(ctx, pool, plan, statement, budget)
		return err
	})
	var queryErr *catalog.QueryError
	if errors.As(err, &queryErr) {
		return badQuery(err)
	}
	if err != nil {
		problem := store.Classify(err, served.Settings)
		logger.Warn("query failed", "refId", dq.RefID, "metric", plan.Metric.ID, "error", err)
		response := backend.ErrDataResponseWithSource(problem.Status, problem.Source, problem.Message)
		// The query inspector still shows the SQL that failed.
		response.Frames = data.Frames{data.NewFrame(plan.Metric.ID).SetMeta(&data.FrameMeta{ExecutedQueryString: statement.SQL})}
		return response
	}
	addDrillDown(frame, plan, ds.ref)
	frame.AppendNotices(budget.Notices()...)
	frame.AppendNotices(ds.replicaNotices(ctx, served)...)
	frame.AppendNotices(warnings(adHocNotApplied)...)
	return backend.DataResponse{Frames: data.Frames{frame}}
}

// answer is how one query kind is built, run and framed.
type answer struct {
	build func(catalog.Plan, sqlbuild.Workspace) (sqlbuild.Statement, error)
	run   func(context.Context, *pgxpool.Pool, catalog.Plan, sqlbuild.Statement, *frames.Budget) (*data.Frame, error)
}

// answers maps every query kind to its answer.
var answers = map[models.QueryKind]answer{
	models.KindTimeSeries: {build: sqlbuild.TimeSeries, run: runTimeSeries},
	models.KindTotals:     {build: sqlbuild.Totals, run: runTotals},
	models.KindRanking:    {build: sqlbuild.Totals, run: runTotals},
	models.KindSnapshot:   {build: sqlbuild.Snapshot, run: runTotals},
	models.KindRecords:    {build: sqlbuild.Records, run: runRecords},
	// Annotations are events, not a metric's values: see annotations.go.
	models.KindAnnotations: {build: sqlbuild.Annotations, run: runAnnotations},
}

// runTimeSeries keeps the series that fit the budget, each whole: a series
// cut short would show zeros that are not in the store. A series costs its
// every bucket, so a group by a dimension with many values (phrases, say)
// stops at the series that fit rather than at the rows.
func runTimeSeries(ctx context.Context, pool *pgxpool.Pool, plan catalog.Plan, s sqlbuild.Statement, budget *frames.Budget) (*data.Frame, error) {
	budget.MaxRows = 0 // Grafana's row limit counts rows; a series is not cut by rows
	budget.Unit = "series"
	buckets := int64(len(plan.Boundaries))
	kept := map[string]bool{}
	rows := make([]store.Bucketed, 0, buckets) // one series' worth at least
	err := store.Each(ctx, pool, s.SQL, s.Args, store.BucketedReader(), func(row store.Bucketed) bool {
		fits, seen := kept[row.Series]
		if !seen {
			fits = budget.Take(frames.SeriesBytes(row.Series, buckets))
			kept[row.Series] = fits
		}
		if fits {
			rows = append(rows, row)
		}
		return true // the rows of the series kept may still come
	})
	if err != nil {
		return nil, err
	}
	return frames.TimeSeries(plan, rows, s.SQL), nil
}

// runTotals keeps the rows that fit the budget: a ranking's first ones.
func runTotals(ctx context.Context, pool *pgxpool.Pool, plan catalog.Plan, s sqlbuild.Statement, budget *frames.Budget) (*data.Frame, error) {
	rows := []store.Totaled{}
	err := store.Each(ctx, pool, s.SQL, s.Args, store.ReadTotaled, func(row store.Totaled) bool {
		if !budget.Take(frames.TotaledBytes(row)) {
			return false
		}
		rows = append(rows, row)
		return true
	})
	if err != nil {
		return nil, err
	}
	return frames.Totals(plan, rows, s.SQL), nil
}

// runRecords streams rows into the frame until the budget is spent, so that
// an export of long texts never holds more than the budget.
func runRecords(ctx context.Context, pool *pgxpool.Pool, plan catalog.Plan, s sqlbuild.Statement, budget *frames.Budget) (*data.Frame, error) {
	records := frames.NewRecords(plan, sqlbuild.ColumnsOf(plan.Metric))
	err := store.Each(ctx, pool, s.SQL, s.Args, records.Scan, func(size int64) bool {
		if !budget.Take(size) {
			return false
		}
		records.Keep()
		return true
	})
	if err != nil {
		return nil, err
	}
	if plan.Metric.ID == catalog.MetricTranscript && records.Rows() == 0 && !budget.Cut() {
		return nil, &catalog.QueryError{Message: fmt.Sprintf(
			"conversation %d is not in this workspace: check the conversationId (the dialogs table's id column)", plan.ConversationID)}
	}
	return records.Frame(s.SQL), nil
}

// budget is what one query may answer: the settings' maximum response size,
// and Grafana's SQL row limit when Grafana sends one.
func (ds *Datasource) budget(ctx context.Context) *frames.Budget {
	b := &frames.Budget{MaxBytes: int64(ds.settings.MaxResponseBytes)}
	limit, err := strconv.ParseInt(config.GrafanaConfigFromContext(ctx).Get(config.SQLRowLimit), 10, 64)
	if err == nil && limit > 0 {
		b.MaxRows = limit
	}
	return b
}

func kindNames() string {
	names := make([]string, len(models.Kinds))
	for i, k := range models.Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

// badQuery is the response to a query the user must fix: status 400.
func badQuery(err error) backend.DataResponse {
	return backend.ErrDataResponseWithSource(backend.StatusBadRequest, backend.ErrorSourceDownstream, err.Error())
}

func (ds *Datasource) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/catalog", ds.serveCatalog)
	mux.HandleFunc("GET /dimensions/{dimension}/values", ds.serveDimensionValues)
	mux.HandleFunc("GET /tag-keys", serveTagKeys)
	return mux
}
