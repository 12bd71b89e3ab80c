// Package models holds the plugin's wire formats: the data source settings and
// the query JSON, each with its validation.
package models

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/grafana/grafana-plugin-sdk-go/backend/gtime"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/userinput"
)

// TLS modes, as PostgreSQL's sslmode names them.
const (
	TLSDisable    = "disable"
	TLSRequire    = "require"
	TLSVerifyCA   = "verify-ca"
	TLSVerifyFull = "verify-full"
)

// Defaults for settings left empty.
const (
	DefaultPort             = 5432
	DefaultMaxConns         = 10
	DefaultStatementTimeout = 30 * time.Second
	maxMaxConns             = 100
	// DefaultMaxResponseBytes is the response budget of a query: 16 MiB of
	// frame data. A 10,000-row dialogs export with long texts once took the
	// plugin from 27 MB to 786 MB.
	DefaultMaxResponseBytes = 16 << 20
	// MinMaxResponseBytes and MaxMaxResponseBytes bound the setting.
	MinMaxResponseBytes = 1 << 20
	MaxMaxResponseBytes = 1 << 30
	// DefaultConnMaxLifetime is how long, in seconds, a pooled connection
	// serves before it is replaced: 4 hours, as in Grafana's PostgreSQL data
	// source. A new connection's first statements cost more (the server's
	// catalog caches, and its shared buffers' first touch without huge
	// pages), so connections are kept rather than renewed every hour.
	DefaultConnMaxLifetime = 14400
	// MinConnMaxLifetime and MaxConnMaxLifetime bound the setting: a minute
	// (behind private data source connect Grafana advises less than five) to
	// a day.
	MinConnMaxLifetime = 60
	MaxConnMaxLifetime = 86400
)

// Settings are one data source's connection settings: jsonData plus secureJsonData.
type Settings struct {
	Host             string  `json:"host"`
	Port             flexInt `json:"port"`
	Database         string  `json:"database"`
	User             string  `json:"user"`
	TLSMode          string  `json:"tlsMode"`
	Workspace        string  `json:"workspace"`
	MaxConns         flexInt `json:"maxConns"`
	StatementTimeout string  `json:"statementTimeout"`
	// RequireReadOnlyRole makes the health check and every query refuse a
	// user that could change the store (see store.WritePrivilege).
	RequireReadOnlyRole bool `json:"requireReadOnlyRole"`
	// MaxResponseBytes is how much frame data one query may answer; records
	// and rankings stop at the last row that fits, with a notice.
	MaxResponseBytes flexInt `json:"maxResponseBytes"`
	// ReplicaHost and ReplicaPort name an optional PostgreSQL streaming
	// replica of the store that reads go to (see store.Replica). It is
	// reached with the primary's database, user, password and TLS settings;
	// ReplicaPort defaults to Port.
	ReplicaHost string  `json:"replicaHost"`
	ReplicaPort flexInt `json:"replicaPort"`
	// ConnMaxLifetime is how long, in seconds, a connection is kept, idle or
	// not, before it is replaced; Grafana's PostgreSQL data source has the
	// same setting under the same name.
	ConnMaxLifetime flexInt `json:"connMaxLifetime"`

	// From secureJsonData.
	Password      string `json:"-"`
	TLSCACert     string `json:"-"`
	TLSClientCert string `json:"-"`
	TLSClientKey  string `json:"-"`

	// StatementTimeoutDuration is StatementTimeout parsed.
	StatementTimeoutDuration time.Duration `json:"-"`
}

// flexInt reads a number written either as a JSON number or as a string:
// provisioning files that take the port from an environment variable send "5432".
type flexInt int

// UnmarshalJSON accepts 5432, "5432" and "".
func (n *flexInt) UnmarshalJSON(raw []byte) error {
	text := strings.Trim(string(raw), `"`)
	if text == "" || text == "null" {
		*n = 0
		return nil
	}
	value, err := strconv.Atoi(strings.TrimSpace(text))
	if err != nil {
		return &wholeNumberError{raw: text}
	}
	*n = flexInt(value)
	return nil
}

// wholeNumberError is flexInt's error for text that is not a whole number.
type wholeNumberError struct{ raw string }

func (e *wholeNumberError) Error() string {
	return userinput.Quote(e.raw) + " is not a whole number"
}

// LoadSettings reads and validates a data source's settings, filling defaults.
// The error says which setting is wrong and how to fix it.
func LoadSettings(instance backend.DataSourceInstanceSettings) (Settings, error) {
	var s Settings
	if len(instance.JSONData) > 0 {
		if err := json.Unmarshal(instance.JSONData, &s); err != nil {
			return s, fmt.Errorf("the data source settings are not valid JSON (%s): save the settings page again", userinput.Bound(err.Error(), 2*userinput.MaxEcho))
		}
	}
	secure := instance.DecryptedSecureJSONData
	s.Password = secure["password"]
	s.TLSCACert = secure["tlsCACert"]
	s.TLSClientCert = secure["tlsClientCert"]
	s.TLSClientKey = secure["tlsClientKey"]
	return s, s.normalise()
}

func (s *Settings) normalise() error {
	s.Host = strings.TrimSpace(s.Host)
	s.ReplicaHost = strings.TrimSpace(s.ReplicaHost)
	s.Workspace = strings.TrimSpace(s.Workspace)
	if s.Port == 0 {
		s.Port = DefaultPort
	}
	if s.MaxConns == 0 {
		s.MaxConns = DefaultMaxConns
	}
	if s.TLSMode == "" {
		s.TLSMode = TLSRequire
	}
	if s.MaxResponseBytes == 0 {
		s.MaxResponseBytes = DefaultMaxResponseBytes
	}
	if s.ConnMaxLifetime == 0 {
		s.ConnMaxLifetime = DefaultConnMaxLifetime
	}
	var problems []string
	// A NUL byte or invalid UTF-8 cannot reach PostgreSQL: say which setting
	// holds one, rather than fail every query with "invalid byte sequence".
	for _, field := range []struct{ name, value string }{
		{"host", s.Host}, {"database", s.Database}, {"user", s.User}, {"workspace", s.Workspace},
		{"replica host", s.ReplicaHost}, {"TLS mode", s.TLSMode}, {"statement timeout", s.StatementTimeout}, {"password", s.Password},
	} {
		if err := userinput.Check(field.name, field.value); err != nil {
			if field.name == "password" { // never echo a secret
				err = fmt.Errorf("password contains a NUL byte or invalid UTF-8: re-type it")
			}
			problems = append(problems, err.Error())
		}
	}
	if s.Host == "" {
		problems = append(problems, "host is empty: enter the PostgreSQL server's host name or address")
	}
	if s.Port < 1 || s.Port > 65535 {
		problems = append(problems, fmt.Sprintf("port %d is out of range: use 1-65535 (PostgreSQL's default is 5432)", s.Port))
	}
	problems = append(problems, s.replicaProblems()...)
	if s.Database == "" {
		problems = append(problems, "database is empty: enter the database that holds the conversation store")
	}
	if s.User == "" {
		problems = append(problems, "user is empty: enter a PostgreSQL user with read access to the conversation store")
	}
	if s.Workspace == "" {
		problems = append(problems, "workspace is empty: enter the workspace slug whose data this data source shows")
	}
	switch s.TLSMode {
	case TLSDisable, TLSRequire:
	case TLSVerifyCA, TLSVerifyFull:
		if s.TLSCACert == "" {
			problems = append(problems, "TLS mode "+s.TLSMode+" needs the CA certificate: paste it in PEM form")
		}
	default:
		problems = append(problems, fmt.Sprintf("TLS mode %s is unknown: use disable, require, verify-ca or verify-full", userinput.Quote(s.TLSMode)))
	}
	if (s.TLSClientCert == "") != (s.TLSClientKey == "") {
		problems = append(problems, "TLS client certificate and key go together: set both or neither")
	}
	if s.MaxConns < 1 || s.MaxConns > maxMaxConns {
		problems = append(problems, fmt.Sprintf("max connections %d is out of range: use 1-%d", s.MaxConns, maxMaxConns))
	}
	if s.MaxResponseBytes < MinMaxResponseBytes || s.MaxResponseBytes > MaxMaxResponseBytes {
		problems = append(problems, fmt.Sprintf("max response bytes %d is out of range: use %d (1 MiB) to %d (1 GiB), or leave it empty for 16 MiB",
			s.MaxResponseBytes, MinMaxResponseBytes, MaxMaxResponseBytes))
	}
	if s.ConnMaxLifetime < MinConnMaxLifetime || s.ConnMaxLifetime > MaxConnMaxLifetime {
		problems = append(problems, fmt.Sprintf("connection max lifetime %d is out of range: use %d to %d seconds, or leave it empty for %d (4 hours)",
			s.ConnMaxLifetime, MinConnMaxLifetime, MaxConnMaxLifetime, DefaultConnMaxLifetime))
	}
	s.StatementTimeoutDuration = DefaultStatementTimeout
	if s.StatementTimeout != "" {
		timeout, err := gtime.ParseDuration(s.StatementTimeout)
		if err != nil || timeout <= 0 {
			problems = append(problems, fmt.Sprintf("statement timeout %s is not a positive duration: use a value like 30s or 2m", userinput.Quote(s.StatementTimeout)))
		} else {
			s.StatementTimeoutDuration = timeout
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("invalid data source settings: %s", strings.Join(problems, "; "))
	}
	return nil
}

// HasReplica says whether reads go to a streaming replica first.
func (s Settings) HasReplica() bool { return s.ReplicaHost != "" }

// Replica is s for the replica: its host and port, and everything else the
// primary's (database, user, password, TLS, pool size, timeouts), so that
// the pool, TLS (whose host name check is then the replica's) and the error
// messages follow from one set of settings.
func (s Settings) Replica() Settings {
	replica := s
	replica.Host, replica.Port = s.ReplicaHost, s.ReplicaPort
	return replica
}

// replicaProblems checks the replica's address; it fills ReplicaPort with
// the primary's port when the replica's is left empty.
func (s *Settings) replicaProblems() []string {
	if s.ReplicaHost == "" {
		if s.ReplicaPort != 0 {
			return []string{fmt.Sprintf("replica port %d is set but the replica host is empty: enter the replica's host name or address, or clear the replica port", s.ReplicaPort)}
		}
		return nil
	}
	if s.ReplicaPort == 0 {
		s.ReplicaPort = s.Port
	}
	if s.ReplicaPort < 1 || s.ReplicaPort > 65535 {
		return []string{fmt.Sprintf("replica port %d is out of range: use 1-65535, or leave it empty for the primary's port", s.ReplicaPort)}
	}
	if strings.EqualFold(s.ReplicaHost, s.Host) && s.ReplicaPort == s.Port {
		return []string{fmt.Sprintf("the replica host %s and port %d are the primary's: enter a streaming replica's host and port, or clear the replica host",
			userinput.Quote(s.ReplicaHost), s.ReplicaPort)}
	}
	return nil
}
