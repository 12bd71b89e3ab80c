package models

import (
	"testing"
	"time"

	"github.com/grafana/grafana-plugin-sdk-go/backend"
	"github.com/stretchr/testify/require"
)

func TestLoadSettingsFillsDefaults(t *testing.T) {
	s, err := LoadSettings(backend.DataSourceInstanceSettings{
		JSONData:                []byte(`{"host":" db.internal ","database":"chat","user":"grafana","workspace":"acme"}`),
		DecryptedSecureJSONData: map[string]string{"password": "s3cret"},
	})
	require.NoError(t, err)
	require.Equal(t, "db.internal", s.Host)
	require.EqualValues(t, 5432, s.Port)
	require.EqualValues(t, 10, s.MaxConns)
	require.Equal(t, TLSRequire, s.TLSMode)
	require.Equal(t, 30*time.Second, s.StatementTimeoutDuration)
	require.EqualValues(t, 16<<20, s.MaxResponseBytes)
	require.EqualValues(t, 14400, s.ConnMaxLifetime, "4 hours, as Grafana's PostgreSQL data source")
	require.Equal(t, "s3cret", s.Password)
	require.False(t, s.RequireReadOnlyRole, "off unless the settings say so")
}

func TestLoadSettingsReadsRequireReadOnlyRole(t *testing.T) {
	s, err := LoadSettings(backend.DataSourceInstanceSettings{JSONData: []byte(
		`{"host":"h","database":"d","user":"u","workspace":"w","requireReadOnlyRole":true}`)})
	require.NoError(t, err)
	require.True(t, s.RequireReadOnlyRole)
}

// loadWith loads minimal valid settings with one more jsonData key set to a
// JSON value.
func loadWith(key, value string) (Settings, error) {
	return LoadSettings(backend.DataSourceInstanceSettings{JSONData: []byte(
		`{"host":"h","database":"d","user":"u","workspace":"w","` + key + `":` + value + `}`)})
}

func TestLoadSettingsBoundsTheResponseBudget(t *testing.T) {
	load := func(value string) (Settings, error) { return loadWith("maxResponseBytes", value) }
	s, err := load(`"33554432"`)
	require.NoError(t, err)
	require.EqualValues(t, 32<<20, s.MaxResponseBytes)
	for _, value := range []string{"1000", "2147483648", "-1"} {
		_, err := load(value)
		require.EqualError(t, err, "invalid data source settings: max response bytes "+value+
			" is out of range: use 1048576 (1 MiB) to 1073741824 (1 GiB), or leave it empty for 16 MiB")
	}
}

// The connections' lifetime is in seconds, as Grafana's PostgreSQL data
// source has it, from a minute to a day.
func TestLoadSettingsBoundsTheConnectionLifetime(t *testing.T) {
	load := func(value string) (Settings, error) { return loadWith("connMaxLifetime", value) }
	s, err := load(`"240"`)
	require.NoError(t, err)
	require.EqualValues(t, 240, s.ConnMaxLifetime)
	s, err = load(`86400`)
	require.NoError(t, err)
	require.EqualValues(t, 86400, s.ConnMaxLifetime)
	for _, value := range []string{"59", "86401", "-1"} {
		_, err := load(value)
		require.EqualError(t, err, "invalid data source settings: connection max lifetime "+value+
			" is out of range: use 60 to 86400 seconds, or leave it empty for 14400 (4 hours)")
	}
}

// Provisioning files that take the port from an environment variable send it as a string.
func TestLoadSettingsAcceptsNumbersAsStrings(t *testing.T) {
	s, err := LoadSettings(backend.DataSourceInstanceSettings{JSONData: []byte(
		`{"host":"h","port":"6543","maxConns":"4","statementTimeout":"2m","database":"d","user":"u","workspace":"w","tlsMode":"disable"}`)})
	require.NoError(t, err)
	require.EqualValues(t, 6543, s.Port)
	require.EqualValues(t, 4, s.MaxConns)
	require.Equal(t, 2*time.Minute, s.StatementTimeoutDuration)

	_, err = LoadSettings(backend.DataSourceInstanceSettings{JSONData: []byte(`{"port":"fifty"}`)})
	require.ErrorContains(t, err, `the data source settings are not valid JSON ("fifty" is not a whole number)`)
}

func TestLoadSettingsExplainsEveryProblem(t *testing.T) {
	_, err := LoadSettings(backend.DataSourceInstanceSettings{
		JSONData: []byte(`{"host":"h","database":"d","user":"u","workspace":"w","tlsMode":"verify-full",
			"maxConns":500,"statementTimeout":"soon"}`),
		DecryptedSecureJSONData: map[string]string{"tlsClientCert": "PEM"},
	})
	require.EqualError(t, err, "invalid data source settings: "+
		"TLS mode verify-full needs the CA certificate: paste it in PEM form; "+
		"TLS client certificate and key go together: set both or neither; "+
		"max connections 500 is out of range: use 1-100; "+
		`statement timeout "soon" is not a positive duration: use a value like 30s or 2m`)
}

func TestLoadSettingsReadsTheReplica(t *testing.T) {
	load := func(jsonData string) (Settings, error) {
		return LoadSettings(backend.DataSourceInstanceSettings{
			JSONData:                []byte(`{"host":"primary.db","port":6432,"database":"d","user":"u","workspace":"w",` + jsonData + `}`),
			DecryptedSecureJSONData: map[string]string{"password": "s3cret"},
		})
	}
	none, err := load(`"replicaHost":" "`)
	require.NoError(t, err)
	require.False(t, none.HasReplica(), "a blank replica host is no replica")

	s, err := load(`"replicaHost":" standby.db "`)
	require.NoError(t, err)
	require.True(t, s.HasReplica())
	require.EqualValues(t, 6432, s.ReplicaPort, "the replica's port defaults to the primary's")
	replica := s.Replica()
	require.Equal(t, "standby.db", replica.Host)
	require.EqualValues(t, 6432, replica.Port)
	require.Equal(t, "s3cret", replica.Password, "the replica is reached with the primary's login")
	require.Equal(t, "primary.db", s.Host, "the primary's settings are unchanged")

	s, err = load(`"replicaHost":"standby.db","replicaPort":"5433"`)
	require.NoError(t, err)
	require.EqualValues(t, 5433, s.Replica().Port)
}

func TestLoadSettingsExplainsReplicaProblems(t *testing.T) {
	for jsonData, want := range map[string]string{
		`"replicaPort":5433`:                             "replica port 5433 is set but the replica host is empty: enter the replica's host name or address, or clear the replica port",
		`"replicaHost":"standby.db","replicaPort":70000`: "replica port 70000 is out of range: use 1-65535, or leave it empty for the primary's port",
		`"replicaHost":"PRIMARY.db"`:                     `the replica host "PRIMARY.db" and port 6432 are the primary's: enter a streaming replica's host and port, or clear the replica host`,
		`"replicaHost":"standby\u0000.db"`:               `replica host "standby\x00.db" contains a NUL byte (\u0000): remove it`,
	} {
		_, err := LoadSettings(backend.DataSourceInstanceSettings{JSONData: []byte(
			`{"host":"primary.db","port":6432,"database":"d","user":"u","workspace":"w",` + jsonData + `}`)})
		require.ErrorContains(t, err, "invalid data source settings: "+want, jsonData)
	}
}
