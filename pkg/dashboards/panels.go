package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/bargauge"
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/cog/variants"
	"github.com/grafana/grafana-foundation-sdk/go/common"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/stat"
	"github.com/grafana/grafana-foundation-sdk/go/table"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
)

// Heights of the panel kinds, in grid rows.
const (
	statHeight  = 4
	chartHeight = 8
	tableHeight = 9
)

// neutralColor is the one color of stats and rankings: their numbers are
// neither good nor bad, so no threshold turns them red.
const neutralColor = "blue"

// targets names the queries A, B, C... in order.
func targets(queries []*QueryBuilder) []cog.Builder[variants.Dataquery] {
	out := make([]cog.Builder[variants.Dataquery], len(queries))
	for i, q := range queries {
		q.RefID(string(rune('A' + i)))
		out[i] = q
	}
	return out
}

// neutralThresholds is one base step in the neutral color: without it Grafana
// fills in its default of green, and red from 80.
func neutralThresholds() *dashboard.ThresholdsConfigBuilder {
	return dashboard.NewThresholdsConfigBuilder().
		Mode(dashboard.ThresholdsModeAbsolute).
		Steps([]dashboard.Threshold{{Value: nil, Color: neutralColor}})
}

func fixedColor(color string) *dashboard.FieldColorBuilder {
	return dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdFixed).FixedColor(color)
}

// unitOf is the unit of the panel's first metric.
func unitOf(queries []*QueryBuilder) string { return queries[0].metric().Unit }

// statPanel shows one number per query: totals over the dashboard's range
// (or a snapshot at its end), never a reduction of time-series points.
func statPanel(title, note string, width uint32, queries ...*QueryBuilder) *stat.PanelBuilder {
	p := stat.NewPanelBuilder().
		Title(title).
		Description(description(note, queries...)).
		Datasource(datasourceRef()).
		Targets(targets(queries)).
		Span(width).Height(statHeight).
		Unit(unitOf(queries)).
		Thresholds(neutralThresholds()).
		ColorScheme(fixedColor(neutralColor)).
		ColorMode(common.BigValueColorModeValue).
		GraphMode(common.BigValueGraphModeNone).
		JustifyMode(common.BigValueJustifyModeAuto).
		TextMode(common.BigValueTextModeAuto).
		Orientation(common.VizOrientationAuto).
		ReduceOptions(common.NewReduceDataOptionsBuilder().Values(false).Calcs([]string{"lastNotNull"}).Fields(""))
	unitOverrides(queries, func(refID string, props []dashboard.DynamicConfigValue) { p.OverrideByQuery(refID, props) })
	return p
}

// comparedStatPanel is a stat of one total compared with the previous
// period: the query answers a previous row, then the current one, and the
// stat shows the last (the current total) with its change from the first,
// the way Grafana's percent change reads a field (diffperc: last minus
// first, over first).
func comparedStatPanel(title, note string, width uint32, query *QueryBuilder) *stat.PanelBuilder {
	return statPanel(title, note+" The percentage is the change from the previous period of the same length (the previous calendar month for a month).",
		width, query.ComparedWith("previous")).
		ShowPercentChange(true).
		PercentChangeColorMode(common.PercentChangeColorModeStandard)
}

// unitOverrides gives every query whose unit differs from the first's its own.
func unitOverrides(queries []*QueryBuilder, override func(string, []dashboard.DynamicConfigValue)) {
	for _, q := range queries[1:] {
		if unit := q.metric().Unit; unit != unitOf(queries) {
			override(q.query.RefID, []dashboard.DynamicConfigValue{{Id: "unit", Value: unit}})
		}
	}
}

// timeSeriesPanel draws each query's series as lines over the range.
func timeSeriesPanel(title, note string, width uint32, queries ...*QueryBuilder) *timeseries.PanelBuilder {
	p := timeseries.NewPanelBuilder().
		Title(title).
		Description(description(note, queries...)).
		Datasource(datasourceRef()).
		Targets(targets(queries)).
		Span(width).Height(chartHeight).
		Unit(unitOf(queries)).
		Thresholds(neutralThresholds()).
		ColorScheme(dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdPaletteClassic)).
		DrawStyle(common.GraphDrawStyleLine).
		LineWidth(2).
		FillOpacity(10).
		ShowPoints(common.VisibilityModeAuto).
		SpanNulls(common.BoolOrFloat64{Bool: cog.ToPtr(false)}).
		Legend(common.NewVizLegendOptionsBuilder().
			DisplayMode(common.LegendDisplayModeList).
			Placement(common.LegendPlacementBottom).
			ShowLegend(true)).
		Tooltip(common.NewVizTooltipOptionsBuilder().Mode(common.TooltipDisplayModeMulti).Sort(common.SortOrderDescending))
	unitOverrides(queries, func(refID string, props []dashboard.DynamicConfigValue) { p.OverrideByQuery(refID, props) })
	return p
}

// stackedBars draws the series as stacked bars, each bar starting at its
// bucket's start and spanning the bucket: the points are stamped with the
// start of their calendar bucket (docs/query-model.md), so a centred bar
// (Grafana's default) would straddle two months. barAlignment 1 is
// BarAlignment.After in Grafana's packages/grafana-schema (common.gen.ts),
// which uPlot draws from the point to the right (barsAfter in
// packages/grafana-ui/src/components/uPlot/config/UPlotSeriesBuilder.ts).
func stackedBars(p *timeseries.PanelBuilder) *timeseries.PanelBuilder {
	return p.DrawStyle(common.GraphDrawStyleBars).
		BarAlignment(common.BarAlignmentAfter).
		BarWidthFactor(0.9).
		FillOpacity(100).
		LineWidth(1).
		ShowPoints(common.VisibilityModeNever).
		Stacking(common.NewStackingConfigBuilder().Mode(common.StackingModeNormal).Group("A"))
}

// smoothLines draws a daily evolution as a curved line.
func smoothLines(p *timeseries.PanelBuilder) *timeseries.PanelBuilder {
	return p.LineInterpolation(common.LineInterpolationSmooth)
}

// tablePanel lists rows: records, or totals and snapshots by a dimension.
func tablePanel(title, note string, width, height uint32, queries ...*QueryBuilder) *table.PanelBuilder {
	p := table.NewPanelBuilder().
		Title(title).
		Description(description(note, queries...)).
		Datasource(datasourceRef()).
		Targets(targets(queries)).
		Span(width).Height(height).
		Thresholds(neutralThresholds()).
		ColorScheme(dashboard.NewFieldColorBuilder().Mode(dashboard.FieldColorModeIdThresholds)).
		ShowHeader(true).
		Filterable(true)
	return p
}

// rankingPanel shows a ranking or grouped totals as horizontal bars, one per
// group, largest first as the backend orders them.
func rankingPanel(title, note string, width, height uint32, q *QueryBuilder) *bargauge.PanelBuilder {
	p := bargauge.NewPanelBuilder().
		Title(title).
		Description(description(note, q)).
		Datasource(datasourceRef()).
		Targets(targets([]*QueryBuilder{q})).
		Span(width).Height(height).
		Unit(q.metric().Unit).
		Min(0).
		Thresholds(neutralThresholds()).
		ColorScheme(fixedColor(neutralColor)).
		Orientation(common.VizOrientationHorizontal).
		DisplayMode(common.BarGaugeDisplayModeBasic).
		ValueMode(common.BarGaugeValueModeColor).
		NamePlacement(common.BarGaugeNamePlacementLeft).
		ShowUnfilled(true).
		// values: one bar per row (group), not a reduction of the column.
		ReduceOptions(common.NewReduceDataOptionsBuilder().Values(true).Calcs([]string{}).Fields("")).
		WithTransformation(hideIDs(q.query.GroupBy))
	return p
}

// hideIDs drops the <dimension>_id field a grouped answer carries for
// drill-down, which a bar or a table column would otherwise show.
func hideIDs(dimension string) dashboard.DataTransformerConfig {
	return dashboard.DataTransformerConfig{Id: "organize", Options: map[string]any{
		"excludeByName": map[string]bool{catalog.IDField(dimension): true},
	}}
}

// link is a data link of a field: Grafana replaces its ${...} variables with
// the clicked row's values ("Configure data links" in Grafana's docs:
// ${__data.fields.<name>}, ${__value.raw}, ${__url_time_range}).
func link(title, url string) []dashboard.DynamicConfigValue {
	return []dashboard.DynamicConfigValue{{Id: "links", Value: []map[string]any{{"title": title, "url": url}}}}
}

// displayName renames the fields of one query.
func displayName(name string) []dashboard.DynamicConfigValue {
	return []dashboard.DynamicConfigValue{{Id: "displayName", Value: name}}
}

// joinedTable is one row per value of dimension, one column per query: the
// queries' grouped answers joined on the dimension's field, without the
// <dimension>_id fields.
func joinedTable(title, note, dimension string, queries ...*QueryBuilder) *table.PanelBuilder {
	return tablePanel(title, note, 24, tableHeight, queries...).
		WithTransformation(hideIDs(dimension)).
		WithTransformation(dashboard.DataTransformerConfig{Id: "joinByField", Options: map[string]any{
			"byField": dimension, "mode": "outer",
		}})
}
