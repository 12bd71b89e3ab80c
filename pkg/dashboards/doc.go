// Package dashboards writes the dashboards the plugin ships (dashboards/*.json)
// with the Grafana foundation SDK: one file per product view (usage.go,
// analytics.go, performance.go, campaign.go, sessions.go), the panel helpers
// in panels.go, and Query, the foundation SDK's panel target for this data
// source. Panel descriptions and units come from the metric catalog, so a
// dashboard and the metric reference never drift apart.
//
// The plugin binary never imports this package: dashboards are written at
// development time by pkg/cmd/chatbot-dashboards (`mage dashboards`), and a
// test fails when the committed files differ from what the code writes.
package dashboards
