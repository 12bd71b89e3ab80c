package frames

import (
	"sort"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// PercentUnit is Grafana's unit for a fraction shown as a percentage (0.12 is 12%).
const PercentUnit = "percentunit"

// group is one series or row of an answer: its group's value (empty without
// a group-by), the group's id as text, and its values.
type group struct {
	name, id string
	values   []*float64
}

// CompareTimeSeries joins a time series (built by TimeSeries for plan) with
// the series of its previous period (built for plan.Compare.Previous). The
// previous period's k-th bucket is placed on the current k-th bucket, so a
// 28-day February lies under the first 28 days of March; current buckets
// past the previous period's last are null in it.
//
// Comparing both periods, every series is labelled period=current or
// period=previous (with its group), and the previous one's display name ends
// in " · previous month" (say), so both stay distinct with or without a
// group-by. Comparing by change or difference, each group is one series, with
// the same labels as without a comparison, of (current - previous) /
// previous or current - previous per bucket.
func CompareTimeSeries(plan catalog.Plan, current, previous *data.Frame, executedSQL string) *data.Frame {
	meta := &data.FrameMeta{
		Type:                data.FrameTypeTimeSeriesWide,
		TypeVersion:         data.FrameTypeVersion{0, 1},
		ExecutedQueryString: executedSQL,
	}
	now, before := seriesGroups(plan, current), seriesGroups(plan, previous)
	if len(now) == 0 && len(before) == 0 {
		return data.NewFrame(plan.Metric.ID).SetMeta(meta) // no group in either period: no data
	}
	buckets := len(plan.Boundaries) - 1
	times := make([]time.Time, buckets)
	copy(times, plan.Boundaries)
	frame := data.NewFrame(plan.Metric.ID, data.NewField("time", nil, times))
	for _, name := range unionNames(now, before) {
		cur, inNow := now[name]
		prev, inBefore := before[name]
		aligned := alignBuckets(plan, prev.values, inBefore, buckets)
		if plan.Compare.Mode == catalog.CompareBoth {
			if inNow {
				frame.Fields = append(frame.Fields, compareField(plan, name, catalog.PeriodCurrent, cur.values))
			}
			if inBefore {
				frame.Fields = append(frame.Fields, compareField(plan, name, catalog.PeriodPrevious, aligned))
			}
			continue
		}
		if !inNow {
			cur.values = emptyValues(plan, buckets)
		}
		frame.Fields = append(frame.Fields, compareField(plan, name, "", combine(plan.Compare.Mode, cur.values, aligned)))
	}
	frame.Meta = meta
	return frame
}

// seriesGroups reads the series of a frame built by TimeSeries, by group.
func seriesGroups(plan catalog.Plan, frame *data.Frame) map[string]group {
	out := map[string]group{}
	if len(frame.Fields) < 2 {
		return out
	}
	for _, field := range frame.Fields[1:] {
		name := field.Labels[plan.GroupBy]
		values := make([]*float64, field.Len())
		for i := range values {
			values[i], _ = field.At(i).(*float64)
		}
		out[name] = group{name: name, values: values}
	}
	return out
}

// alignBuckets lays the previous period's values on the current buckets:
// the k-th on the k-th, null past its last bucket, and a group without rows
// in the previous period empty there (0 for counts).
func alignBuckets(plan catalog.Plan, values []*float64, found bool, buckets int) []*float64 {
	previousBuckets := len(plan.Compare.Previous.Boundaries) - 1
	if !found {
		values = emptyValues(plan, previousBuckets)
	}
	aligned := make([]*float64, buckets)
	copy(aligned, values)
	return aligned
}

// emptyValues are n values of a group without rows: 0 for counts and sums,
// null for the others.
func emptyValues(plan catalog.Plan, n int) []*float64 {
	values := make([]*float64, n)
	if plan.Metric.Value.ZeroWhenEmpty() {
		for i := range values {
			zero := 0.0
			values[i] = &zero
		}
	}
	return values
}

// combine is the change or difference of two periods, value by value.
func combine(mode catalog.CompareMode, current, previous []*float64) []*float64 {
	out := make([]*float64, len(current))
	for i := range out {
		var prev *float64
		if i < len(previous) {
			prev = previous[i]
		}
		out[i] = combined(mode, current[i], prev)
	}
	return out
}

// combined is (current - previous) / previous for a change, as Grafana's
// "Difference percent" reducer computes it (diff over the first value), and
// current - previous for a difference; null when either is null, and a
// change from 0 is null, since no percentage says it.
func combined(mode catalog.CompareMode, current, previous *float64) *float64 {
	if current == nil || previous == nil {
		return nil
	}
	v := *current - *previous
	if mode == catalog.CompareChange {
		if *previous == 0 {
			return nil
		}
		v /= *previous
	}
	return &v
}

// compareField is one series of a compared time series: period is
// catalog.PeriodCurrent or catalog.PeriodPrevious when both are answered,
// empty for a change or difference.
func compareField(plan catalog.Plan, name, period string, values []*float64) *data.Field {
	metric := plan.Metric
	labels := data.Labels{}
	display := metric.Title
	if plan.GroupBy != "" {
		label := name
		if label == "" {
			label = NoValueLabel
		}
		labels[plan.GroupBy] = label
		display += SeriesSeparator + label
	}
	fieldName, unit := compareValue(plan)
	switch period {
	case catalog.PeriodCurrent:
		labels[catalog.PeriodLabel] = period
	case catalog.PeriodPrevious:
		labels[catalog.PeriodLabel] = period
		display += SeriesSeparator + plan.Compare.Label()
	default:
		display += SeriesSeparator + string(plan.Compare.Mode) + " vs " + plan.Compare.Label()
	}
	if len(labels) == 0 {
		labels = nil
	}
	field := data.NewField(fieldName, labels, values)
	field.Config = &data.FieldConfig{DisplayNameFromDS: display, Unit: unit}
	return field
}

// compareValue is the value field's name and unit: the metric's for both
// periods, "<metric>_change" in percent or "<metric>_difference" in the
// metric's unit.
func compareValue(plan catalog.Plan) (string, string) {
	switch plan.Compare.Mode {
	case catalog.CompareChange:
		return plan.Metric.ID + "_change", PercentUnit
	case catalog.CompareDifference:
		return plan.Metric.ID + "_difference", plan.Metric.Unit
	}
	return plan.Metric.ID, plan.Metric.Unit
}

// unionNames are the groups of either period, sorted by name.
func unionNames(now, before map[string]group) []string {
	names := make([]string, 0, len(now)+len(before))
	for name := range now {
		names = append(names, name)
	}
	for name := range before {
		if _, dup := now[name]; !dup {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// CompareTotals joins a totals, ranking or snapshot frame (built by Totals
// for plan) with its previous period's (built for plan.Compare.Previous).
//
// Comparing both periods, the frame is numeric-long with a string field
// "period" after the group: for each group a "previous" row and then a
// "current" row. Without a group-by that is two rows, previous then current,
// which is what a stat panel needs to show the current value with its
// percent change (Grafana's showPercentChange reduces the field with
// diffperc, from its first value to its last); alerting reads the period as
// a label, so each (group, period) is an instance of its own.
//
// Comparing by change or difference, the frame is the usual one, one row per
// group, its value the change or difference: what an alert rule thresholds.
//
// Totals and snapshots answer the groups of either period, by name; a
// ranking answers its current groups, in its order.
func CompareTotals(plan catalog.Plan, current, previous *data.Frame, executedSQL string) *data.Frame {
	meta := &data.FrameMeta{
		Type:                data.FrameTypeNumericLong,
		TypeVersion:         data.FrameTypeVersion{0, 1},
		ExecutedQueryString: executedSQL,
	}
	nowOrder, now := totalsGroups(plan, current)
	_, before := totalsGroups(plan, previous)
	names := nowOrder
	if plan.Kind != models.KindRanking {
		names = unionNames(now, before)
	}
	if len(names) == 0 {
		return data.NewFrame(plan.Metric.ID).SetMeta(meta)
	}
	empty := emptyValues(plan, 1)[0]
	var groups, ids, periods []string
	var values []*float64
	for _, name := range names {
		cur, inNow := now[name]
		prev, inBefore := before[name]
		id := cur.id
		if !inNow {
			id = prev.id
			cur.values = []*float64{empty}
		}
		if !inBefore {
			prev.values = []*float64{empty}
		}
		if plan.Compare.Mode == catalog.CompareBoth {
			groups = append(groups, name, name)
			ids = append(ids, id, id)
			periods = append(periods, catalog.PeriodPrevious, catalog.PeriodCurrent)
			values = append(values, prev.values[0], cur.values[0])
			continue
		}
		groups = append(groups, name)
		ids = append(ids, id)
		values = append(values, combined(plan.Compare.Mode, cur.values[0], prev.values[0]))
	}

	frame := data.NewFrame(plan.Metric.ID)
	if plan.GroupBy != "" {
		dimension, _ := catalog.LookupDimension(plan.GroupBy)
		dimensionField := data.NewField(plan.GroupBy, nil, groups)
		dimensionField.Config = &data.FieldConfig{DisplayNameFromDS: dimension.Title}
		frame.Fields = append(frame.Fields, dimensionField)
		if dimension.Identified {
			frame.Fields = append(frame.Fields, data.NewField(catalog.IDField(plan.GroupBy), nil, ids))
		}
	}
	fieldName, unit := compareValue(plan)
	display := plan.Metric.Title
	if plan.Compare.Mode == catalog.CompareBoth {
		periodField := data.NewField(catalog.PeriodLabel, nil, periods)
		periodField.Config = &data.FieldConfig{DisplayNameFromDS: "Period", Description: "previous: " + plan.Compare.Label()}
		frame.Fields = append(frame.Fields, periodField)
	} else {
		display += SeriesSeparator + string(plan.Compare.Mode) + " vs " + plan.Compare.Label()
	}
	valueField := data.NewField(fieldName, nil, values)
	valueField.Config = &data.FieldConfig{DisplayNameFromDS: display, Unit: unit}
	frame.Fields = append(frame.Fields, valueField)
	frame.Meta = meta
	return frame
}

// totalsGroups reads the rows of a frame built by Totals: the groups in
// frame order, and each group's id and value. The group of an ungrouped
// frame is "".
func totalsGroups(plan catalog.Plan, frame *data.Frame) ([]string, map[string]group) {
	out := map[string]group{}
	if len(frame.Fields) == 0 {
		return nil, out
	}
	valueField := frame.Fields[len(frame.Fields)-1]
	groupField, _ := frame.FieldByName(plan.GroupBy)
	idField, _ := frame.FieldByName(catalog.IDField(plan.GroupBy))
	order := make([]string, 0, valueField.Len())
	for i := 0; i < valueField.Len(); i++ {
		g := group{}
		if plan.GroupBy != "" && groupField != nil {
			g.name, _ = groupField.At(i).(string)
		}
		if idField != nil {
			g.id, _ = idField.At(i).(string)
		}
		value, _ := valueField.At(i).(*float64)
		g.values = []*float64{value}
		order = append(order, g.name)
		out[g.name] = g
	}
	return order, out
}
