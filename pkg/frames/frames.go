// Package frames turns store rows into Grafana data frames: wide time series
// that panels, Explore and alert rules all accept.
package frames

import (
	"fmt"
	"sort"
	"strconv"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/sqlbuild"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/store"
)

// NoValueLabel shows a group whose dimension is empty (a message without intent, say).
const NoValueLabel = "(none)"

// TimeSeries builds a wide time-series frame for plan from bucketed rows: one
// time field with every bucket's start, ascending, and one float64 field per
// series, labelled with the group-by dimension's value. Buckets without rows
// are 0 for counts and sums and null for averages; cumulative metrics carry
// their running total, starting from the rows before the first bucket.
//
// A grouped series without any group answers a frame without fields: Grafana
// reads that as "No data" in panels and as NoData in alert rules, where a time
// field alone would be an error ("frame is missing a numeric value field").
//
// data.LongToWide is not used because it only fills times present in some
// series; here every bucket of the range must exist, even with no rows at all.
func TimeSeries(plan catalog.Plan, rows []store.Bucketed, executedSQL string) *data.Frame {
	starts := plan.Boundaries[:len(plan.Boundaries)-1]
	buckets := len(starts)

	// Values per series, indexed by bucket (0 = before the first bucket).
	perSeries := map[string][]*float64{}
	seriesOf := func(name string) []*float64 {
		if values, ok := perSeries[name]; ok {
			return values
		}
		values := make([]*float64, buckets+1)
		perSeries[name] = values
		return values
	}
	if plan.GroupBy == "" {
		seriesOf("") // an empty range still answers with one series of zeros
	}
	for _, row := range rows {
		if row.Bucket < 0 || row.Bucket > buckets {
			continue // past the last boundary; the SQL's range excludes it anyway
		}
		seriesOf(row.Series)[row.Bucket] = row.Value
	}

	meta := &data.FrameMeta{
		Type:                data.FrameTypeTimeSeriesWide,
		TypeVersion:         data.FrameTypeVersion{0, 1},
		ExecutedQueryString: executedSQL,
	}
	if len(perSeries) == 0 {
		return data.NewFrame(plan.Metric.ID).SetMeta(meta)
	}
	names := make([]string, 0, len(perSeries))
	for name := range perSeries {
		names = append(names, name)
	}
	sort.Strings(names)

	times := make([]time.Time, buckets)
	copy(times, starts)
	frame := data.NewFrame(plan.Metric.ID, data.NewField("time", nil, times))
	for _, name := range names {
		frame.Fields = append(frame.Fields, seriesField(plan, name, perSeries[name]))
	}
	frame.Meta = meta
	return frame
}

// SeriesSeparator joins a metric's title and a group in a series' display name.
const SeriesSeparator = " · "

// seriesField is one series of a time-series frame. A grouped series is
// labelled with its group and displayed as "<metric title> · <group>", so that
// two queries grouped by the same dimension in one panel (handled and missed
// conversations per team, say) stay distinct in legends and in Explore.
func seriesField(plan catalog.Plan, name string, byBucket []*float64) *data.Field {
	metric := plan.Metric
	values := make([]*float64, len(byBucket)-1)
	running := 0.0
	if byBucket[0] != nil {
		running = *byBucket[0]
	}
	for k := range values {
		v := byBucket[k+1]
		switch {
		case metric.Cumulative:
			if v != nil {
				running += *v
			}
			total := running
			v = &total
		case v == nil && metric.Value.ZeroWhenEmpty():
			zero := 0.0
			v = &zero
		}
		values[k] = v
	}

	var labels data.Labels
	display := metric.Title
	if plan.GroupBy != "" {
		label := name
		if label == "" {
			label = NoValueLabel
		}
		labels = data.Labels{plan.GroupBy: label}
		display = metric.Title + SeriesSeparator + label
	}
	field := data.NewField(metric.ID, labels, values)
	field.Config = &data.FieldConfig{DisplayNameFromDS: display, Unit: metric.Unit}
	return field
}

// Totals builds the frame of a totals, ranking or snapshot plan: one row per
// group-by value (in the SQL's order: by name for totals, largest first for
// rankings), with a string field for the dimension (and, for identified
// dimensions, the group's id as a string field <dimension>_id) and one float64
// field for the value, typed numeric-long. Alerting reads every string field
// of such a frame as a label and every numeric field as a value of its own,
// so the id is text: a number there would give each group a second value
// and the rule would fail on duplicate labels. Without a group-by it is one
// row, 0 for counts and sums when nothing matched; with a group-by and no
// group, a frame without fields, read as no data.
func Totals(plan catalog.Plan, rows []store.Totaled, executedSQL string) *data.Frame {
	metric := plan.Metric
	values := make([]*float64, 0, len(rows))
	names := make([]string, 0, len(rows))
	ids := make([]string, 0, len(rows))
	for _, row := range rows {
		names = append(names, row.Series)
		ids = append(ids, idText(row.SeriesID))
		values = append(values, row.Value)
	}
	meta := &data.FrameMeta{
		Type:                data.FrameTypeNumericLong,
		TypeVersion:         data.FrameTypeVersion{0, 1},
		ExecutedQueryString: executedSQL,
	}
	if plan.GroupBy != "" && len(rows) == 0 {
		// No group: no fields, which panels show as "No data" and alerting reads as NoData.
		return data.NewFrame(metric.ID).SetMeta(meta)
	}
	if plan.GroupBy == "" && len(values) == 0 {
		var empty *float64
		if metric.Value.ZeroWhenEmpty() {
			zero := 0.0
			empty = &zero
		}
		values = append(values, empty)
	}

	valueField := data.NewField(metric.ID, nil, values)
	valueField.Config = &data.FieldConfig{DisplayNameFromDS: metric.Title, Unit: metric.Unit}
	frame := data.NewFrame(metric.ID)
	if plan.GroupBy != "" {
		for i, name := range names {
			if name == "" {
				names[i] = NoValueLabel
			}
		}
		dimensionField := data.NewField(plan.GroupBy, nil, names)
		dimension, _ := catalog.LookupDimension(plan.GroupBy)
		dimensionField.Config = &data.FieldConfig{DisplayNameFromDS: dimension.Title}
		frame.Fields = append(frame.Fields, dimensionField)
		if dimension.Identified {
			frame.Fields = append(frame.Fields, data.NewField(catalog.IDField(plan.GroupBy), nil, ids))
		}
	}
	frame.Fields = append(frame.Fields, valueField)
	frame.Meta = meta
	return frame
}

// idText is a group's id as a label value: "" for the group without one
// ("(none)"), never null, since alerting cannot read a null label.
func idText(id *int64) string {
	if id == nil {
		return ""
	}
	return strconv.FormatInt(*id, 10)
}

// RecordsBuilder builds a records frame a row at a time, so that rows go
// from the store into the frame without being held twice.
type RecordsBuilder struct {
	frame   *data.Frame
	columns []sqlbuild.RecordColumn
	rows    int
}

// NewRecords starts a records frame for plan with one typed, nullable field
// per column.
func NewRecords(plan catalog.Plan, columns []sqlbuild.RecordColumn) *RecordsBuilder {
	frame := data.NewFrame(plan.Metric.ID)
	for _, col := range columns {
		var field *data.Field
		switch col.Kind {
		case sqlbuild.RecordBool:
			field = data.NewField(col.Name, nil, []*bool{})
		case sqlbuild.RecordTime:
			field = data.NewField(col.Name, nil, []*time.Time{})
		case sqlbuild.RecordInt:
			field = data.NewField(col.Name, nil, []*int64{})
		case sqlbuild.RecordFloat:
			field = data.NewField(col.Name, nil, []*float64{})
		default:
			field = data.NewField(col.Name, nil, []*string{})
		}
		frame.Fields = append(frame.Fields, field)
	}
	return &RecordsBuilder{frame: frame, columns: columns}
}

// Append adds one row as pgx decodes it; a row that does not match the
// columns is an error and adds nothing.
func (b *RecordsBuilder) Append(row []any) error {
	if len(row) != len(b.columns) {
		return fmt.Errorf("record %d has %d values for %d columns", b.rows, len(row), len(b.columns))
	}
	converted := make([]any, len(row))
	for i, value := range row {
		v, err := recordValue(b.columns[i], value)
		if err != nil {
			return err
		}
		converted[i] = v
	}
	for i, v := range converted {
		b.frame.Fields[i].Append(v)
	}
	b.rows++
	return nil
}

// Rows is how many rows were appended.
func (b *RecordsBuilder) Rows() int { return b.rows }

// Frame is the finished table frame, carrying the SQL for the query inspector.
func (b *RecordsBuilder) Frame(executedSQL string) *data.Frame {
	b.frame.Meta = &data.FrameMeta{PreferredVisualization: data.VisTypeTable, ExecutedQueryString: executedSQL}
	return b.frame
}

// recordValue turns one decoded value into the pointer its field holds.
func recordValue(col sqlbuild.RecordColumn, value any) (any, error) {
	switch col.Kind {
	case sqlbuild.RecordBool:
		return pointerTo[bool](col, value)
	case sqlbuild.RecordTime:
		return pointerTo[time.Time](col, value)
	case sqlbuild.RecordInt:
		return pointerTo[int64](col, value)
	case sqlbuild.RecordFloat:
		return pointerTo[float64](col, value)
	default:
		return pointerTo[string](col, value)
	}
}

// pointerTo is value as a *T, nil for SQL NULL.
func pointerTo[T any](col sqlbuild.RecordColumn, value any) (any, error) {
	if value == nil {
		return (*T)(nil), nil
	}
	typed, ok := value.(T)
	if !ok {
		return nil, fmt.Errorf("column %s: unexpected %T", col.Name, value)
	}
	return &typed, nil
}
