package plugin

import (
	"encoding/json"
	"net/http"

	"github.com/grafana/grafana-plugin-sdk-go/backend/log"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/catalog"
	"github.com/chatbot-metrics/chatbot-metrics/pkg/timebucket"
)

// catalogResponse is what GET resources/catalog returns to the query editor.
type catalogResponse struct {
	Metrics    []catalog.Metric    `json:"metrics"`
	Dimensions []catalog.Dimension `json:"dimensions"`
	Intervals  []string            `json:"intervals"`
}

func (ds *Datasource) serveCatalog(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		http.Error(w, "use GET", http.StatusMethodNotAllowed)
		return
	}
	writeJSON(w, r, catalogResponse{Metrics: catalog.Metrics, Dimensions: catalog.Dimensions, Intervals: timebucket.Named})
}

func writeJSON(w http.ResponseWriter, r *http.Request, body any) {
	w.Header().Set("Content-Type", "application/json")
	if err := json.NewEncoder(w).Encode(body); err != nil {
		log.DefaultLogger.FromContext(r.Context()).Error("writing resource response", "error", err)
	}
}
