package plugin

import (
	"github.com/grafana/grafana-plugin-sdk-go/data"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/models"
)

// datasourceRef names this data source in the links it returns.
type datasourceRef struct{ uid, name string }

// addDrillDown puts data links on the fields that name something another
// query can open: a dialog's id opens its transcript, and an agent's id in a
// total or ranking opens that agent's handled conversations and minutes over
// time, both in Explore on this data source. Grafana interpolates the ${...}
// variables with the row's values when the link is clicked.
func addDrillDown(frame *data.Frame, plan catalog.Plan, ds datasourceRef) {
	if ds.uid == "" {
		return
	}
	link := func(title string, query map[string]any) data.DataLink {
		query["refId"] = "A"
		query["version"] = models.QueryModelVersion
		return data.DataLink{Title: title, Internal: &data.InternalDataLink{Query: query, DatasourceUID: ds.uid, DatasourceName: ds.name}}
	}
	switch {
	case plan.Metric.ID == "dialogs":
		if field, _ := frame.FieldByName("id"); field != nil {
			setLinks(field, link("Transcript", map[string]any{
				"queryType": models.KindRecords, "metric": catalog.MetricTranscript, "conversationId": "${__value.raw}",
			}))
		}
	case plan.GroupBy == catalog.DimAgent.ID:
		agentFilter := []models.Filter{{Dimension: catalog.DimAgent.ID, Values: []string{"${__data.fields." + catalog.DimAgent.ID + "}"}}}
		for _, name := range []string{catalog.IDField(catalog.DimAgent.ID), catalog.DimAgent.ID} {
			if field, _ := frame.FieldByName(name); field != nil {
				setLinks(field,
					link("Handled conversations of ${__data.fields.agent}", map[string]any{
						"queryType": models.KindTimeSeries, "metric": "handled_conversations", "filters": agentFilter,
					}),
					link("Conversation minutes of ${__data.fields.agent}", map[string]any{
						"queryType": models.KindTimeSeries, "metric": "conversation_minutes", "filters": agentFilter,
					}))
			}
		}
	}
}

func setLinks(field *data.Field, links ...data.DataLink) {
	if field.Config == nil {
		field.Config = &data.FieldConfig{}
	}
	field.Config.Links = links
}
