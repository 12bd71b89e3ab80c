package dashboards

import (
	"fmt"
	"reflect"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// PluginID is the data source plugin's id, as plugin.json declares it.
const PluginID = "chatbotmetrics-chatbot-datasource"

// DatasourceVariable is the dashboard variable every panel and query takes
// its data source from, so that no dashboard names a data source's uid.
const DatasourceVariable = "datasource"

// datasourceRef points a panel or query at the data source the dashboard's
// datasource variable selects.
func datasourceRef() common.DataSourceRef {
	kind, uid := PluginID, "${"+DatasourceVariable+"}"
	return common.DataSourceRef{Type: &kind, Uid: &uid}
}

// Filter is one filter of a query: the rows whose dimension has one of values.
type Filter struct {
	Dimension string   `json:"dimension"`
	Values    []string `json:"values"`
}

// Query is a panel target of this data source: the query JSON of
// docs/query-model.md, version 1. The time zone is left out, so that the
// frontend fills in the dashboard's.
type Query struct {
	RefID          string                `json:"refId"`
	Datasource     *common.DataSourceRef `json:"datasource,omitempty"`
	Version        int                   `json:"version"`
	QueryType      models.QueryKind      `json:"queryType"`
	Metric         string                `json:"metric,omitempty"`
	GroupBy        string                `json:"groupBy,omitempty"`
	Filters        []Filter              `json:"filters,omitempty"`
	Interval       string                `json:"interval,omitempty"`
	Limit          int                   `json:"limit,omitempty"`
	TargetSeconds  float64               `json:"targetSeconds,omitempty"`
	ConversationID string                `json:"conversationId,omitempty"`
	// Event and Threshold are an annotation query's, which names no metric.
	Event     string  `json:"event,omitempty"`
	Threshold float64 `json:"threshold,omitempty"`
	// Compare asks for a previous period too ("previous", or an offset such as "7d").
	Compare string `json:"compare,omitempty"`
}

var _ variants.Dataquery = Query{}

// ImplementsDataqueryVariant marks Query as a panel target for the foundation SDK.
func (Query) ImplementsDataqueryVariant() {}

// DataqueryType is the plugin id, as the SDK's own query types answer theirs.
func (Query) DataqueryType() string { return PluginID }

// Equals compares two targets field by field.
func (q Query) Equals(other variants.Dataquery) bool { return reflect.DeepEqual(q, other) }

// Validate checks the query against the metric catalog: a known metric, a
// kind it answers, and, for the group-by, a dimension it allows. Filters are
// checked by the dashboards' lint test, because some filter dimensions may
// arrive in the catalog after the dashboards that use them.
func (q Query) Validate() error {
	if q.QueryType == models.KindAnnotations {
		if _, ok := catalog.LookupEvent(q.Event); !ok {
			return fmt.Errorf("annotation event %q is not in the catalog", q.Event)
		}
		return nil
	}
	metric, ok := catalog.Lookup(q.Metric)
	if !ok {
		return fmt.Errorf("metric %q is not in the catalog", q.Metric)
	}
	if !metric.Supports(q.QueryType) {
		return fmt.Errorf("metric %s cannot be queried as %s", q.Metric, q.QueryType)
	}
	if q.GroupBy != "" && !metric.Allows(q.GroupBy) {
		return fmt.Errorf("metric %s cannot group by %s", q.Metric, q.GroupBy)
	}
	return nil
}

// QueryBuilder builds a Query; it is the foundation SDK's builder for a
// panel target of this data source.
type QueryBuilder struct {
	query Query
}

var _ cog.Builder[variants.Dataquery] = (*QueryBuilder)(nil)

// NewQuery starts a query of kind for metric, on the dashboard's data source.
func NewQuery(kind models.QueryKind, metric string) *QueryBuilder {
	ref := datasourceRef()
	return &QueryBuilder{query: Query{
		RefID: "A", Datasource: &ref, Version: models.QueryModelVersion, QueryType: kind, Metric: metric,
	}}
}

// Build returns the query, or why the catalog refuses it.
func (b *QueryBuilder) Build() (variants.Dataquery, error) {
	if err := b.query.Validate(); err != nil {
		return nil, cog.MakeBuildErrors("chatbot.query", err)
	}
	return b.query, nil
}

// NewAnnotationQuery starts an annotation query for event (see
// catalog.AnnotationEvents), on the dashboard's data source.
func NewAnnotationQuery(event string) *QueryBuilder {
	ref := datasourceRef()
	return &QueryBuilder{query: Query{
		RefID: "Anno", Datasource: &ref, Version: models.QueryModelVersion, QueryType: models.KindAnnotations, Event: event,
	}}
}

// Threshold sets the least count that marks an annotation event.
func (b *QueryBuilder) Threshold(n int) *QueryBuilder { b.query.Threshold = float64(n); return b }

// RefID names the query within its panel (A, B, ...).
func (b *QueryBuilder) RefID(refID string) *QueryBuilder { b.query.RefID = refID; return b }

// GroupBy asks for one series or row per value of dimension.
func (b *QueryBuilder) GroupBy(dimension string) *QueryBuilder { b.query.GroupBy = dimension; return b }

// Filter keeps the rows whose dimension has one of values (a "$variable" expands in the frontend).
func (b *QueryBuilder) Filter(dimension string, values ...string) *QueryBuilder {
	b.query.Filters = append(b.query.Filters, Filter{Dimension: dimension, Values: values})
	return b
}

// Interval sets a time series' bucket width (a unit name or "$interval").
func (b *QueryBuilder) Interval(interval string) *QueryBuilder { b.query.Interval = interval; return b }

// Limit cuts a ranking or records answer to n rows.
func (b *QueryBuilder) Limit(n int) *QueryBuilder { b.query.Limit = n; return b }

// ComparedWith also asks for the metric over a previous period ("previous",
// or an offset such as "7d"): a stat then shows the change against it.
func (b *QueryBuilder) ComparedWith(period string) *QueryBuilder { b.query.Compare = period; return b }

// ConversationID names the conversation of a transcript (an id or "$conversation").
func (b *QueryBuilder) ConversationID(id string) *QueryBuilder { b.query.ConversationID = id; return b }

// metric is the catalog entry behind the query.
func (b *QueryBuilder) metric() catalog.Metric {
	m, _ := catalog.Lookup(b.query.Metric)
	return m
}
