package dashboards

import (
	"github.com/grafana/grafana-foundation-sdk/go/cog"
	"github.com/grafana/grafana-foundation-sdk/go/dashboard"
	"github.com/grafana/grafana-foundation-sdk/go/timeseries"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// platformColors gives each platform of the demo data (pkg/generator's
// platforms) one fixed color, the same on every chart, so that WhatsApp is
// the same green in active, new and total users.
var platformColors = []struct{ platform, color string }{
	{"whatsapp", "#25D366"},
	{"webchat", "#3274D9"},
	{"telegram", "#00B8D9"},
	{"messenger", "#A352CC"},
	{"instagram", "#E1306C"},
	{"line", "#FADE2A"},
	{"viber", "#FF9830"},
	{"sms", "#8E8E8E"},
}

// perPlatform shows one series per platform, named by the platform alone,
// each in its platform's color.
//
// The legend takes the platform from the series' label. Overrides match by
// display name or field name (fieldNameMatcher and regexpFieldNameMatcher in
// Grafana's packages/grafana-data/src/transformations/matchers/nameMatcher.ts),
// and applyFieldOverrides (packages/grafana-data/src/field/fieldOverrides.ts)
// matches after filling in the panel's default display name, but a display
// name cached on the field before (the backend's "Active users · whatsapp")
// may still be the one compared. So each color override is a regular
// expression that matches the platform with or without the metric's title in
// front; a pattern without slashes is anchored at both ends (stringToJsRegex
// in packages/grafana-data/src/text/string.ts), so "line" never matches
// "online".
func perPlatform(p *timeseries.PanelBuilder) *timeseries.PanelBuilder {
	p.DisplayName("${__field.labels.platform}")
	for _, pc := range platformColors {
		p.OverrideByRegexp("(.+ · )?"+pc.platform, []dashboard.DynamicConfigValue{
			{Id: "color", Value: map[string]any{"mode": "fixed", "fixedColor": pc.color}},
		})
	}
	return p
}

// usage reproduces the Usage Metrics view: users per platform and messages
// received and sent, month by month.
func usage() *board {
	b := newBoard("chatbot-usage", "Chatbot usage",
		"Users per platform and messages received and sent: the Usage Metrics view.", "usage").
		time("now-90d", "now")
	b.dimensionVariable("platform", "Platform", "platform", true)
	b.variable(dashboard.NewCustomVariableBuilder("interval").
		Label("Interval").
		Values(dashboard.StringOrMap{String: cog.ToPtr("month,week,day,hour,auto")}).
		Current(dashboard.VariableOption{
			Text:  dashboard.StringOrArrayOfString{String: cog.ToPtr("month")},
			Value: dashboard.StringOrArrayOfString{String: cog.ToPtr("month")},
		}).
		Options(intervalOptions("month", "week", "day", "hour", "auto")))

	totals := func(metric string) *QueryBuilder { return b.query(models.KindTotals, metric) }
	b.add(comparedStatPanel("Active users", "Distinct over the whole range.", 6, totals("active_users")))
	b.add(comparedStatPanel("New users", "Over the whole range.", 6, totals("new_users")))
	b.add(comparedStatPanel("Total users", "At the end of the range.", 6, totals("total_users")))
	b.add(comparedStatPanel("Returning users", "Distinct over the whole range.", 6, totals("returning_users")))

	perInterval := func(metric string) *QueryBuilder {
		return b.query(models.KindTimeSeries, metric).GroupBy("platform").Interval("$interval")
	}
	b.add(perPlatform(stackedBars(timeSeriesPanel("Active users per platform", "", 12, perInterval("active_users")))))
	b.add(perPlatform(stackedBars(timeSeriesPanel("New users per platform", "", 12, perInterval("new_users")))))
	b.add(perPlatform(stackedBars(timeSeriesPanel("Total users per platform", "", 12, perInterval("total_users")))))
	received := b.query(models.KindTimeSeries, "messages_received").Interval("$interval")
	sent := b.query(models.KindTimeSeries, "messages_sent").Interval("$interval")
	b.add(stackedBars(timeSeriesPanel("Messages received vs. sent", "", 12, received, sent)).
		OverrideByQuery("A", []dashboard.DynamicConfigValue{{Id: "color", Value: map[string]any{"mode": "fixed", "fixedColor": "#5794F2"}}}).
		OverrideByQuery("B", []dashboard.DynamicConfigValue{{Id: "color", Value: map[string]any{"mode": "fixed", "fixedColor": "#73BF69"}}}))
	return b
}

// intervalOptions are a custom variable's options, the first selected.
func intervalOptions(values ...string) []dashboard.VariableOption {
	options := make([]dashboard.VariableOption, len(values))
	for i, v := range values {
		options[i] = dashboard.VariableOption{
			Text:     dashboard.StringOrArrayOfString{String: cog.ToPtr(v)},
			Value:    dashboard.StringOrArrayOfString{String: cog.ToPtr(v)},
			Selected: cog.ToPtr(i == 0),
		}
	}
	return options
}
