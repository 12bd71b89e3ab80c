package models

import (
	"strings"
	"testing"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
)

// FuzzLoadSettings decodes arbitrary jsonData and a password: nothing panics,
// a refusal says which setting is wrong within a bounded length, and accepted
// settings hold nothing PostgreSQL could not take (a NUL byte, invalid UTF-8).
// go test -run x -fuzz FuzzLoadSettings ./pkg/models explores.
func FuzzLoadSettings(f *testing.F) {
	f.Add(`{"host":"db","port":5432,"database":"chatbot","user":"grafana","workspace":"acme","tlsMode":"disable"}`, "secret")
	f.Add(`{"host":"db","port":"5432","database":"chatbot","user":"grafana","workspace":"acme\u0000","maxConns":"","statementTimeout":"2m"}`, "")
	f.Add(`{"host":"db","port":1e400,"tlsMode":"verify-full"}`, "p\x00w")
	f.Add(`[]`, "")
	f.Add(``, "")
	f.Fuzz(func(t *testing.T, jsonData, password string) {
		s, err := LoadSettings(backend.DataSourceInstanceSettings{
			JSONData: []byte(jsonData), DecryptedSecureJSONData: map[string]string{"password": password},
		})
		if err != nil {
			message := err.Error()
			if !strings.HasPrefix(message, "invalid data source settings: ") && !strings.HasPrefix(message, "the data source settings are not valid JSON") {
				t.Fatalf("unexpected message: %.200s", message)
			}
			if len(message) > 2000 {
				t.Fatalf("a %d-byte message: %.200s", len(message), message)
			}
			if password != "" && len(password) > 3 && strings.Contains(message, password) && !strings.Contains(jsonData, password) {
				t.Fatalf("the message echoes the password")
			}
			return
		}
		for _, v := range []string{s.Host, s.Database, s.User, s.Workspace, s.Password} {
			if strings.IndexByte(v, 0) >= 0 {
				t.Fatalf("accepted a NUL byte: %q", v)
			}
		}
		if s.Port < 1 || s.Port > 65535 || s.MaxConns < 1 || s.StatementTimeoutDuration <= 0 {
			t.Fatalf("accepted out-of-range settings: %+v", s)
		}
	})
}

// FuzzParseQuery decodes arbitrary query JSON: nothing panics, and a refusal
// says how to fix it within a bounded length.
func FuzzParseQuery(f *testing.F) {
	f.Add(`{"metric":"active_users","limit":"ten"}`)
	f.Add(`{"conversationId":"99999999999999999999"}`)
	f.Add(`{"targetSeconds":1e400}`)
	f.Fuzz(func(t *testing.T, queryJSON string) {
		_, err := ParseQuery(backend.DataQuery{RefID: "A", JSON: []byte(queryJSON)})
		if err == nil {
			return
		}
		if message := err.Error(); len(message) > 1000 || !strings.Contains(message, ": ") {
			t.Fatalf("message: %.300s", message)
		}
	})
}
