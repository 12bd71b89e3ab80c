// Package replay reads the shipped dashboards' JSON and turns every panel's
// targets into the queries Grafana sends: variables replaced as Grafana
// replaces them on a dashboard's first load, over the dashboard's (or the
// panel's own) time range. The dashboard test and the benchmark command share
// it, so that both ask exactly what a viewer's Grafana asks.
package replay

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"
	"github.com/grafana/grafana-plugin-sdk-go/data"
)

// Variable is a dashboard template variable, the fields a replay reads.
type Variable struct {
	Name       string          `json:"name"`
	Type       string          `json:"type"`
	Query      json.RawMessage `json:"query"`
	Multi      bool            `json:"multi"`
	IncludeAll bool            `json:"includeAll"`
	AllValue   *string         `json:"allValue"`
	Current    struct {
		Value json.RawMessage `json:"value"`
	} `json:"current"`
	Options []struct {
		Value string `json:"value"`
	} `json:"options"`
}

// Panel is a dashboard panel; rows hold panels of their own.
type Panel struct {
	Type     string            `json:"type"`
	Title    string            `json:"title"`
	TimeFrom string            `json:"timeFrom"`
	Targets  []json.RawMessage `json:"targets"`
	Panels   []Panel           `json:"panels"`
}

// Annotation is a dashboard's annotation query, the fields a replay reads:
// Grafana sends its target (refId "Anno") over the dashboard's time range.
type Annotation struct {
	Name       string `json:"name"`
	Enable     bool   `json:"enable"`
	Datasource struct {
		Type string `json:"type"`
	} `json:"datasource"`
	Target json.RawMessage `json:"target"`
}

// Dashboard is a dashboard file, the fields a replay reads.
type Dashboard struct {
	UID   string `json:"uid"`
	Title string `json:"title"`
	Time  struct {
		From string `json:"from"`
		To   string `json:"to"`
	} `json:"time"`
	Templating struct {
		List []Variable `json:"list"`
	} `json:"templating"`
	Panels      []Panel `json:"panels"`
	Annotations struct {
		List []Annotation `json:"list"`
	} `json:"annotations"`
}

// Read decodes the dashboard file at path.
func Read(path string) (Dashboard, []byte, error) {
	raw, err := os.ReadFile(path) //nolint:gosec // the caller names a dashboard file to replay
	if err != nil {
		return Dashboard{}, nil, err
	}
	var d Dashboard
	if err := json.Unmarshal(raw, &d); err != nil {
		return Dashboard{}, nil, fmt.Errorf("%s: %w", path, err)
	}
	return d, raw, nil
}

// Flatten lists the panels, each row followed by the panels it holds.
func Flatten(panels []Panel) []Panel {
	var out []Panel
	for _, p := range panels {
		out = append(out, p)
		out = append(out, Flatten(p.Panels)...)
	}
	return out
}

// EvaluateRange reads a time range as Grafana does, relative to now.
func EvaluateRange(from, to string, now time.Time) (time.Time, time.Time, error) {
	r := gtime.TimeRange{From: from, To: to, Now: now}
	start, err := r.ParseFrom()
	if err != nil {
		return time.Time{}, time.Time{}, err
	}
	end, err := r.ParseTo()
	return start, end, err
}

// PanelRange is the range a panel asks for: the dashboard's, or the panel's
// own relative one ("timeFrom": "24h" is now-24h to now).
func PanelRange(p Panel, from, to, now time.Time) (time.Time, time.Time, error) {
	if p.TimeFrom == "" {
		return from, to, nil
	}
	return EvaluateRange("now-"+p.TimeFrom, "now", now)
}

// Value is what Grafana sends for a variable: its values (several for a
// multi-value or All selection), or none, which drops the filter.
type Value []string

// First is the first value, or "".
func (v Value) First() string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// Handler is what a replay asks of the data source: queries and resources,
// as Grafana calls them.
type Handler interface {
	backend.QueryDataHandler
	backend.CallResourceHandler
}

// Values sets each variable as Grafana would on the dashboard's first load:
// All is every value the resource lists, or no value where the variable's
// custom All value is `""`; a query variable without All takes the first
// value listed; text boxes get a real value from the data (a dialog's id, a
// word of its messages). The second result lists the interval variable's
// options.
func Values(ctx context.Context, ds Handler, plugin string, d Dashboard, from, to time.Time) (map[string]Value, []string, error) {
	values := map[string]Value{}
	intervals := []string{""}
	var textBoxes []string
	for _, v := range d.Templating.List {
		switch v.Type {
		case "datasource":
			if got := strings.Trim(string(v.Query), `"`); got != plugin {
				return nil, nil, fmt.Errorf("the data source variable lists %s data sources, not %s", got, plugin)
			}
		case "query":
			var query string
			if err := json.Unmarshal(v.Query, &query); err != nil {
				return nil, nil, fmt.Errorf("variable %s: %w", v.Name, err)
			}
			dimension, params, _ := strings.Cut(query, "?")
			path := "dimensions/" + dimension + "/values?from=" + strconv.FormatInt(from.UnixMilli(), 10) + "&to=" + strconv.FormatInt(to.UnixMilli(), 10)
			if params != "" {
				path += "&" + params
			}
			listed, err := DimensionValues(ctx, ds, path)
			if err != nil {
				return nil, nil, fmt.Errorf("variable %s: %w", v.Name, err)
			}
			if len(listed) == 0 {
				return nil, nil, fmt.Errorf("variable %s lists no values", v.Name)
			}
			switch {
			case v.IncludeAll && v.AllValue != nil && *v.AllValue == `""`:
				values[v.Name] = nil
			case v.IncludeAll && v.AllValue != nil && *v.AllValue != "":
				return nil, nil, fmt.Errorf("variable %s: All must be every value or the custom value \"\", which means no filter", v.Name)
			case v.IncludeAll:
				values[v.Name] = listed
			default:
				values[v.Name] = listed[:1]
			}
		case "custom":
			var current string
			if err := json.Unmarshal(v.Current.Value, &current); err != nil {
				return nil, nil, fmt.Errorf("variable %s: one current value: %w", v.Name, err)
			}
			if current == "$__all" {
				if v.AllValue == nil || *v.AllValue != `""` {
					return nil, nil, fmt.Errorf("variable %s: All must be the custom value \"\", which means no filter", v.Name)
				}
				values[v.Name] = nil
			} else {
				values[v.Name] = Value{current}
			}
			if v.Name == "interval" {
				intervals = intervals[:0]
				for _, option := range v.Options {
					intervals = append(intervals, option.Value)
				}
			}
		case "textbox":
			textBoxes = append(textBoxes, v.Name)
		default:
			return nil, nil, fmt.Errorf("variable %s of type %s has no value here", v.Name, v.Type)
		}
	}
	for _, name := range textBoxes {
		switch name {
		case "conversation", "search":
			id, word, err := ADialog(ctx, ds, from, to)
			if err != nil {
				return nil, nil, err
			}
			values["conversation"] = Value{id}
			values["search"] = Value{word}
		default:
			return nil, nil, fmt.Errorf("text box %s has no value here", name)
		}
	}
	return values, intervals, nil
}

// DimensionValues calls the values resource at path (relative to the data
// source's resources) and returns the values it lists.
func DimensionValues(ctx context.Context, ds Handler, path string) ([]string, error) {
	u, err := url.Parse(path)
	if err != nil {
		return nil, err
	}
	var response *backend.CallResourceResponse
	err = ds.CallResource(ctx, &backend.CallResourceRequest{Method: http.MethodGet, Path: u.Path, URL: path},
		backend.CallResourceResponseSenderFunc(func(r *backend.CallResourceResponse) error {
			response = r
			return nil
		}))
	if err != nil {
		return nil, err
	}
	if response == nil {
		return nil, errors.New("the resource sent no response")
	}
	if response.Status != http.StatusOK {
		return nil, fmt.Errorf("status %d: %s", response.Status, response.Body)
	}
	var body struct {
		Values []string `json:"values"`
	}
	if err := json.Unmarshal(response.Body, &body); err != nil {
		return nil, err
	}
	return body.Values, nil
}

// ADialog is the id of the newest dialog in [from, to) with a word of four
// letters or more in its messages, and that word.
func ADialog(ctx context.Context, ds Handler, from, to time.Time) (string, string, error) {
	dialogs, err := Ask(ctx, ds, `{"refId":"A","version":1,"queryType":"records","metric":"dialogs","limit":50}`, from, to)
	if err != nil {
		return "", "", err
	}
	ids, _ := dialogs.FieldByName("id")
	if ids == nil {
		return "", "", errors.New("the dialogs have no id column")
	}
	for i := 0; i < ids.Len(); i++ {
		id, ok := ids.ConcreteAt(i)
		if !ok {
			continue
		}
		conversation := strconv.FormatInt(id.(int64), 10)
		transcript, err := Ask(ctx, ds, `{"refId":"A","version":1,"queryType":"records","metric":"transcript","conversationId":"`+conversation+`"}`, from, to)
		if err != nil {
			return "", "", err
		}
		texts, _ := transcript.FieldByName("text")
		if texts == nil {
			return "", "", errors.New("the transcript has no text column")
		}
		for j := 0; j < texts.Len(); j++ {
			text, ok := texts.ConcreteAt(j)
			if !ok {
				continue
			}
			for _, word := range strings.Fields(text.(string)) {
				if len(word) >= 4 && strings.IndexFunc(word, func(r rune) bool { return r < 'A' || r > 'z' }) < 0 {
					return conversation, word, nil
				}
			}
		}
	}
	return "", "", errors.New("no dialog with a word in the range")
}

// Query is one query as Grafana sends it, over [from, to).
func Query(refID string, queryJSON []byte, from, to time.Time) backend.DataQuery {
	return backend.DataQuery{
		RefID: refID, JSON: queryJSON,
		TimeRange: backend.TimeRange{From: from, To: to},
		Interval:  time.Minute, MaxDataPoints: 1000,
	}
}

// Ask runs one query and returns its one frame, or the query's error.
func Ask(ctx context.Context, ds backend.QueryDataHandler, queryJSON string, from, to time.Time) (*data.Frame, error) {
	resp, err := ds.QueryData(ctx, &backend.QueryDataRequest{Queries: []backend.DataQuery{Query("A", []byte(queryJSON), from, to)}})
	if err != nil {
		return nil, err
	}
	r := resp.Responses["A"]
	if r.Error != nil {
		return nil, r.Error
	}
	if len(r.Frames) != 1 {
		return nil, fmt.Errorf("%d frames, not one", len(r.Frames))
	}
	return r.Frames[0], nil
}

var unreplaced = regexp.MustCompile(`"\$[a-z]`)

// Substitute is the query the frontend sends: variables in filters expanded
// to their values (a filter left without values dropped), the interval and
// the transcript's conversation replaced.
func Substitute(target json.RawMessage, values map[string]Value, interval string) ([]byte, error) {
	var q map[string]any
	if err := json.Unmarshal(target, &q); err != nil {
		return nil, err
	}
	if filters, ok := q["filters"].([]any); ok {
		var kept []any
		for _, f := range filters {
			filter, _ := f.(map[string]any)
			listed, _ := filter["values"].([]any)
			var expanded []any
			for _, v := range listed {
				text, _ := v.(string)
				if name, isVariable := strings.CutPrefix(text, "$"); isVariable {
					value, known := values[name]
					if !known {
						return nil, fmt.Errorf("variable %s has no value", name)
					}
					for _, each := range value {
						expanded = append(expanded, each)
					}
					continue
				}
				expanded = append(expanded, text)
			}
			if len(expanded) > 0 {
				filter["values"] = expanded
				kept = append(kept, filter)
			}
		}
		q["filters"] = kept
	}
	if q["interval"] == "$interval" {
		q["interval"] = interval
	}
	if q["conversationId"] == "$conversation" {
		q["conversationId"] = values["conversation"].First()
	}
	sent, err := json.Marshal(q)
	if err != nil {
		return nil, err
	}
	if unreplaced.Match(sent) {
		return nil, fmt.Errorf("a variable is left in %s", sent)
	}
	return sent, nil
}
