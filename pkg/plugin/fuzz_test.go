package plugin

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzResources sends arbitrary methods, paths and query strings to the
// resources' http handler, without a store: the instance carries a settings
// error, so every request is answered from its path and parameters alone.
// Nothing panics, nothing answers 5xx, and every JSON error is bounded.
// go test -run x -fuzz FuzzResources ./pkg/plugin explores.
func FuzzResources(f *testing.F) {
	for _, seed := range [][3]string{
		{"GET", "catalog", ""},
		{"POST", "catalog", ""},
		{"GET", "dimensions/platform/values", ""},
		{"GET", "dimensions/intent/values", "from=1643673600000&to=1646092800000"},
		{"GET", "dimensions/intent/values", "from=0&to=9223372036854775807"},
		{"GET", "dimensions/intent/values", "from=1&from=2&to=3"},
		{"GET", "dimensions/plat%00form/values", "from=%00"},
		{"GET", "dimensions/../../etc/passwd/values", ""},
		{"DELETE", "dimensions/sender/values", "to=-1"},
	} {
		f.Add(seed[0], seed[1], seed[2])
	}
	ds := &Datasource{settingsErr: errors.New("invalid data source settings: host is empty: enter the host")}
	handler := ds.routes()
	f.Fuzz(func(t *testing.T, method, path, query string) {
		req, err := http.NewRequest(method, "http://grafana/"+path+"?"+query, nil)
		if err != nil {
			return // Grafana could not send it either
		}
		recorder := httptest.NewRecorder()
		handler.ServeHTTP(recorder, req)
		if recorder.Code >= 500 {
			t.Fatalf("%s %s?%s answered %d: %s", method, path, query, recorder.Code, recorder.Body)
		}
		if strings.HasPrefix(recorder.Header().Get("Content-Type"), "application/json") && recorder.Code >= 400 {
			var body errorResponse
			if err := json.Unmarshal(recorder.Body.Bytes(), &body); err != nil {
				t.Fatalf("an error that is not JSON: %s", recorder.Body)
			}
			if len(body.Message) > maxMessage || !strings.Contains(body.Message, ": ") {
				t.Fatalf("message: %.300s", body.Message)
			}
		}
	})
}
