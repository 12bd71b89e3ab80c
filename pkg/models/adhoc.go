package models

// AdHocFilter is one of the dashboard's ad hoc filters ("Filters" in a
// dashboard's variables), as Grafana hands it to the frontend
// (AdHocVariableFilter in @grafana/data) and the frontend puts it into the
// query: a dimension id as key, an operator, and the value, or the values of
// a multi-value operator. The catalog applies it (catalog.ApplyAdHocFilters).
type AdHocFilter struct {
	Key      string   `json:"key"`
	Operator string   `json:"operator"`
	Value    string   `json:"value"`
	Values   []string `json:"values,omitempty"`
}

// The ad hoc filter operators the backend applies; Grafana's others (=~, !~,
// <, <=, >, >=) are reported as not applied.
const (
	AdHocEquals    = "="
	AdHocNotEquals = "!="
	AdHocOneOf     = "=|"
	AdHocNotOneOf  = "!=|"
)
