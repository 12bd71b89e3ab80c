package dashboards

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// Spec is one shipped dashboard: the file it is written to and how it is built.
type Spec struct {
	// File is the dashboard's file name under dashboards/.
	File string
	// Name is how plugin.json and docs/dashboards.md list it.
	Name string
	// Source is the product document whose view the dashboard reproduces.
	Source string
	// Notes say what a reader of docs/dashboards.md should know about its variables.
	Notes string
	build func() *board
}

// All lists the shipped dashboards in the order plugin.json includes them.
func All() []Spec {
	return []Spec{
		{File: "usage.json", Name: "Chatbot usage", Source: "Usage metrics", build: usage,
			Notes: "`platform` (All: no platform filter) narrows every panel; `interval` sets the charts' buckets (a month by default)."},
		{File: "analytics.json", Name: "Chatbot analytics", Source: "Analytics page", build: analytics,
			Notes: "`inbox` (All: no inbox filter) narrows every panel but the balance, which is the account's. Channel info's messages sent and received cover the last 7 days whatever the time picker says."},
		{File: "performance.json", Name: "Chatbot performance report", Source: "Automated performance reports", build: performance,
			Notes: "`agent` narrows the per-agent rankings and evolutions only: the contact center's totals count assignments no agent took (missed ones), which an agent filter would drop. Choosing an agent in a ranking opens this dashboard with that agent."},
		{File: "campaign.json", Name: "Chatbot campaign", Source: "Campaign dashboard", build: campaign,
			Notes: "`task` (the most recent task by default, `task?order=recent`) narrows every panel; the month comes from the time picker."},
		{File: "sessions.json", Name: "Chatbot chat sessions", Source: "Chat sessions reports", build: sessions,
			Notes: "`status` (All: no status filter) and `search` (sessions with a message containing the text) narrow the sessions tables; `marker` narrows the sessions with markers; a session id in either table opens its transcript here through `conversation`."},
	}
}

// Dashboard builds the spec's dashboard.
//
// The dashboards are the classic JSON model (schemaVersion), which the
// foundation SDK now marks deprecated in favour of its v2 resources: plugin
// includes are imported as classic dashboards, and every Grafana the plugin
// supports (>= 11.6) reads them, while v2 needs Grafana 12's new dashboard API.
//
//nolint:staticcheck // classic dashboard model on purpose, see above
func (s Spec) Dashboard() (dashboard.Dashboard, []PanelDoc, error) {
	b := s.build()
	return b.finish()
}

// JSON is the dashboard as the file dashboards/<File> holds it: indented,
// with a trailing newline, the same bytes on every run.
func (s Spec) JSON() ([]byte, error) {
	d, _, err := s.Dashboard()
	if err != nil {
		return nil, err
	}
	var out bytes.Buffer
	encoder := json.NewEncoder(&out)
	encoder.SetIndent("", "  ")
	encoder.SetEscapeHTML(false) // keep "<" and "&" of descriptions and links readable
	if err := encoder.Encode(d); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

// PanelDoc is one panel as docs/dashboards.md lists it.
type PanelDoc struct {
	Row, Title, Type string
	// Queries are "kind metric [by dimension]", one per target.
	Queries []string
}

// filterVariable is a dashboard variable that narrows queries by a dimension.
type filterVariable struct {
	name, dimension string
	// everywhere: every query whose metric allows the dimension takes the
	// variable; otherwise only the queries that ask for it (Performance's
	// agent narrows the per-agent panels, not the contact center's totals,
	// which an agent filter would cut to the assignments that have one).
	everywhere bool
}

// board collects one dashboard's variables and panels; panels flow left to
// right in rows of 24 columns, as the foundation SDK lays them out.
type board struct {
	builder *dashboard.DashboardBuilder //nolint:staticcheck // classic dashboard model, see Spec.Dashboard
	filters []filterVariable
	nextID  uint32
	row     string
	docs    []PanelDoc
	errs    []error
}

// newBoard starts a dashboard with the data source variable every query uses.
func newBoard(uid, title, description string, tags ...string) *board {
	//nolint:staticcheck // classic dashboard model, see Spec.Dashboard
	builder := dashboard.NewDashboardBuilder(title).
		Uid(uid).
		Description(description).
		Tags(append([]string{"chatbot-metrics"}, tags...)).
		Timezone("browser").
		Editable().
		Tooltip(dashboard.DashboardCursorSyncCrosshair).
		Refresh("").
		WithVariable(dashboard.NewDatasourceVariableBuilder(DatasourceVariable).
			Label("Data source").
			Type(PluginID))
	return &board{builder: builder, nextID: 1}
}

// time sets the default time range (Grafana's relative syntax).
func (b *board) time(from, to string) *board {
	b.builder.Time(from, to)
	return b
}

// quickRanges offers these ranges in the time picker, each [display, from,
// to], as timepicker.quick_ranges (Grafana carries it into the dashboard's
// time settings: public/app/features/dashboard/api/ResponseTransformers.ts).
func (b *board) quickRanges(ranges ...[3]string) *board {
	options := make([]cog.Builder[dashboard.TimeOption], 0, len(ranges))
	for _, r := range ranges {
		options = append(options, dashboard.NewTimeOptionBuilder().Display(r[0]).From(r[1]).To(r[2]))
	}
	b.builder.Timepicker(dashboard.NewTimePickerBuilder().QuickRanges(options))
	return b
}

// variable adds a dashboard variable.
func (b *board) variable(v cog.Builder[dashboard.VariableModel]) *board {
	b.builder.WithVariable(v)
	return b
}

// dimensionVariable adds a query variable listing a dimension's values
// (multi-value, with All), which narrows the queries as filterVariable says.
//
// For a variable that narrows every query, All is no filter (customAllValue):
// the whole store, as each panel's description says, and the summaries that
// answer unfiltered queries. Without it Grafana would send every listed value,
// which excludes rows without one and rows of values listed since the last
// refresh, and costs a filter on every row. For a variable that narrows only
// the queries asking for it (an agent, a marker), All keeps its meaning of
// "any of them".
func (b *board) dimensionVariable(name, label, dimension string, everywhere bool) *board {
	b.filters = append(b.filters, filterVariable{name: name, dimension: dimension, everywhere: everywhere})
	builder := dashboard.NewQueryVariableBuilder(name)
	if everywhere {
		builder = builder.AllValue(customAllValue)
	}
	return b.variable(builder.
		Label(label).
		Datasource(datasourceRef()).
		Query(dashboard.StringOrMap{String: cog.ToPtr(dimension)}).
		Definition(dimension).
		Refresh(dashboard.VariableRefreshOnTimeRangeChanged).
		Sort(dashboard.VariableSortAlphabeticalCaseInsensitiveAsc).
		Multi(true).
		IncludeAll(true).
		Current(dashboard.VariableOption{
			Text:  dashboard.StringOrArrayOfString{ArrayOfString: []string{"All"}},
			Value: dashboard.StringOrArrayOfString{ArrayOfString: []string{"$__all"}},
		}))
}

// query starts a query that every "everywhere" variable whose dimension the
// metric allows narrows.
func (b *board) query(kind models.QueryKind, metric string) *QueryBuilder {
	q := NewQuery(kind, metric)
	m := q.metric()
	for _, f := range b.filters {
		if f.everywhere && m.Allows(f.dimension) {
			q.Filter(f.dimension, "$"+f.name)
		}
	}
	return q
}

// annotation marks the events of query on every time series panel, under a
// toggle named name at the top of the dashboard. Grafana's annotation model
// (AnnotationQuery in the foundation SDK's dashboard package, from
// grafana-data's annotations.ts) takes the data source, the query as its
// target, enable and iconColor; the SDK's default placement in the controls
// menu is cleared so the toggle shows beside the variables, as on every
// Grafana the plugin supports.
func (b *board) annotation(name, color string, query *QueryBuilder) *board {
	built, err := dashboard.NewAnnotationQueryBuilder().
		Name(name).
		Datasource(datasourceRef()).
		Enable(true).
		IconColor(color).
		Target(query).
		Build()
	if err != nil {
		b.errs = append(b.errs, err)
		return b
	}
	built.Placement = nil
	b.builder.Annotation(builtAnnotation{built})
	return b
}

// builtAnnotation hands an already built annotation to the dashboard builder.
type builtAnnotation struct{ annotation dashboard.AnnotationQuery }

// Build returns the annotation as it was built.
func (a builtAnnotation) Build() (dashboard.AnnotationQuery, error) { return a.annotation, nil }

// startRow begins a row: the panels added after it belong to it.
func (b *board) startRow(title string) {
	b.row = title
	b.builder.WithRow(dashboard.NewRowBuilder(title).Id(b.id()))
}

func (b *board) id() uint32 {
	id := b.nextID
	b.nextID++
	return id
}

// panelBuilder is what every panel type's builder of the foundation SDK offers.
type panelBuilder interface {
	cog.Builder[dashboard.Panel]
}

// add puts a panel on the dashboard and records it for the docs.
func (b *board) add(panel panelBuilder) {
	built, err := panel.Build()
	if err != nil {
		b.errs = append(b.errs, err)
		return
	}
	built.Id = cog.ToPtr(b.id())
	doc := PanelDoc{Row: b.row, Type: built.Type}
	if built.Title != nil {
		doc.Title = *built.Title
	}
	for _, target := range built.Targets {
		if q, ok := target.(Query); ok {
			doc.Queries = append(doc.Queries, q.describe())
		}
	}
	b.docs = append(b.docs, doc)
	b.builder.WithPanel(builtPanel{built})
}

// builtPanel hands an already built panel to the dashboard builder.
type builtPanel struct{ panel dashboard.Panel }

func (p builtPanel) Build() (dashboard.Panel, error) { return p.panel, nil }

//nolint:staticcheck // classic dashboard model, see Spec.Dashboard
func (b *board) finish() (dashboard.Dashboard, []PanelDoc, error) {
	if len(b.errs) > 0 {
		return dashboard.Dashboard{}, nil, errors.Join(b.errs...) //nolint:staticcheck // classic dashboard model
	}
	d, err := b.builder.Build()
	return d, b.docs, err
}

// describe is the query as docs/dashboards.md lists it.
func (q Query) describe() string {
	if q.QueryType == models.KindAnnotations {
		return string(q.QueryType) + " `" + q.Event + "`"
	}
	text := string(q.QueryType) + " `" + q.Metric + "`"
	if q.GroupBy != "" {
		text += " by " + q.GroupBy
	}
	switch q.Compare {
	case "":
	case "previous":
		text += ", compared with the previous period"
	default:
		text += ", compared with " + q.Compare + " earlier"
	}
	return text
}

// description restates the definitions of the metrics behind a panel, from
// the catalog, so that a panel and the metric reference never drift apart.
func description(note string, queries ...*QueryBuilder) string {
	var parts, seen []string
	for _, q := range queries {
		m := q.metric()
		if slices.Contains(seen, m.ID) {
			continue
		}
		seen = append(seen, m.ID)
		text := m.Description
		if len(queries) > 1 {
			text = m.Title + ": " + text
		}
		parts = append(parts, text)
	}
	if note != "" {
		parts = append(parts, note)
	}
	return strings.Join(parts, " ")
}
