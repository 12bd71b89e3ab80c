package models

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/userinput"
)

// QueryModelVersion is the version of the query JSON this build writes and reads.
// Older saved queries are upgraded by the frontend (src/migrations.ts).
const QueryModelVersion = 1

// QueryKind says what shape of answer a query wants.
type QueryKind string

// The query kinds.
const (
	// KindTimeSeries is one value per calendar bucket, series per group-by value.
	KindTimeSeries QueryKind = "timeseries"
	// KindTotals is one value over the whole time range, a row per group-by value.
	KindTotals QueryKind = "totals"
	// KindRanking is KindTotals ordered largest first and cut to Limit rows.
	KindRanking QueryKind = "ranking"
	// KindSnapshot is the live state at the end of the time range, a row per group-by value.
	KindSnapshot QueryKind = "snapshot"
	// KindRecords is a table of rows (one per dialog, say), newest first, cut to Limit.
	KindRecords QueryKind = "records"
	// KindAnnotations is events to mark on time series panels, named by Event
	// instead of a metric (see package catalog's AnnotationEvents).
	KindAnnotations QueryKind = "annotations"
)

// Kinds lists every query kind.
var Kinds = []QueryKind{KindTimeSeries, KindTotals, KindRanking, KindSnapshot, KindRecords, KindAnnotations}

// Ranking limits: the default and the most rows a ranking returns.
const (
	DefaultRankingLimit = 10
	MaxRankingLimit     = 1000
	// DefaultRecordsLimit and MaxRecordsLimit bound a records table.
	DefaultRecordsLimit = 1000
	MaxRecordsLimit     = 10000
	// DefaultTargetSeconds is the service level target when the query sets none.
	DefaultTargetSeconds = 60
	// MaxFilterValues bounds the values of one filter. A dashboard "All"
	// variable over a large dimension can expand to tens of thousands of
	// values; past this many the query is refused with advice (an "All"
	// selection is better left out of the filter altogether).
	MaxFilterValues = 10_000
	// MaxFilters bounds the filters of one query. Each is one bind parameter
	// and one predicate; a query needs at most one per dimension, so more
	// than this is a malformed query, not a real one.
	MaxFilters = 50
)

// Filter keeps the rows whose dimension has one of the values.
type Filter struct {
	Dimension string   `json:"dimension"`
	Values    []string `json:"values"`
	// Exclude keeps the other rows instead, rows without a value for the
	// dimension among them. Only ad hoc filters (!=, !=|) set it.
	Exclude bool `json:"-"`
}

// Query is the query JSON the frontend, Explore and alert rules send.
type Query struct {
	Version   int       `json:"version"`
	QueryType QueryKind `json:"queryType"`
	Metric    string    `json:"metric"`
	GroupBy   string    `json:"groupBy"`
	Filters   []Filter  `json:"filters"`
	Interval  string    `json:"interval"`
	Timezone  string    `json:"timezone"`
	// Limit is how many rows a ranking returns (default 10).
	Limit int `json:"limit"`
	// ConversationID names the conversation of a transcript. It is read from
	// a number or a numeric string, because a data link interpolates it as
	// text ("${__value.raw}").
	ConversationID flexInt `json:"conversationId"`
	// TargetSeconds is the service level's answer target (default 60).
	TargetSeconds float64 `json:"targetSeconds"`
	// Event is what an annotation query marks (missed_bursts, peak_minutes).
	Event string `json:"event"`
	// Threshold is the least count that makes an annotation event; 0 means
	// the event's default. Read as a number so that 2.5 gets its own error.
	Threshold float64 `json:"threshold"`
	// AdHocFilters are the dashboard's ad hoc filters, added by the frontend.
	AdHocFilters []AdHocFilter `json:"adhocFilters"`
	// Compare asks for the previous period too: "previous" or an offset such
	// as "7d" or "1M" (see catalog/compare.go); empty for none.
	Compare string `json:"compare"`
	// CompareMode is what a comparison answers: empty for both periods,
	// "change" or "difference".
	CompareMode string `json:"compareMode"`

	// From the request rather than the JSON.
	RefID         string            `json:"-"`
	TimeRange     backend.TimeRange `json:"-"`
	GrafanaStep   time.Duration     `json:"-"`
	MaxDataPoints int64             `json:"-"`
}

// ParseQuery decodes one query of a request. An empty queryType means a time series.
func ParseQuery(dq backend.DataQuery) (Query, error) {
	var q Query
	if err := json.Unmarshal(dq.JSON, &q); err != nil {
		return q, decodeError(err)
	}
	if q.QueryType == "" {
		q.QueryType = KindTimeSeries
	}
	if q.Version > QueryModelVersion {
		return q, fmt.Errorf("query version %d is newer than this plugin understands (%d): upgrade the plugin", q.Version, QueryModelVersion)
	}
	q.RefID = dq.RefID
	q.TimeRange = dq.TimeRange
	q.GrafanaStep = dq.Interval
	q.MaxDataPoints = dq.MaxDataPoints
	return q, nil
}

// decodeError says what is wrong with query JSON that does not decode: which
// field has the wrong type and what it should be, or where the JSON breaks.
func decodeError(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) && typeErr.Field != "" {
		// Value is "number 1e400" or "string": only its kind, as the literal may be huge.
		kind, _, _ := strings.Cut(typeErr.Value, " ")
		return fmt.Errorf("the query's %s is a JSON %s but must be %s: correct it in the query editor (the query JSON reference lists every field)",
			userinput.Quote(typeErr.Field), kind, jsonKind(typeErr.Type))
	}
	var numberErr *wholeNumberError
	if errors.As(err, &numberErr) {
		return fmt.Errorf("the query's conversationId %s is not a whole number: set the conversation's id (the dialogs table's id column)",
			userinput.Quote(numberErr.raw))
	}
	return fmt.Errorf("the query is not valid JSON (%s): re-create it in the query editor", userinput.Bound(err.Error(), 2*userinput.MaxEcho))
}

// jsonKind names the JSON a Go type is read from, for decodeError.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int64, reflect.Int32, reflect.Float64, reflect.Float32:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "a list"
	default:
		return "an object"
	}
}
