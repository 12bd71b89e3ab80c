package demo_test

import (
	"errors"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/chatbot-metrics/chatbot-metrics/pkg/demo"
)

func TestPort(t *testing.T) {
	for value, want := range map[string]int{"": 3000, "3001": 3001, " 8080 ": 8080, "65535": 65535} {
		port, err := demo.Port(value)
		require.NoError(t, err, value)
		assert.Equal(t, want, port, value)
	}
	for _, value := range []string{"0", "-1", "65536", "http", "30o0"} {
		_, err := demo.Port(value)
		require.ErrorContains(t, err, "GRAFANA_PORT", value)
	}
}

func TestCheckPort(t *testing.T) {
	listener, err := net.Listen("tcp", ":0")
	require.NoError(t, err)
	port := listener.Addr().(*net.TCPAddr).Port

	err = demo.CheckPort(port)
	var busy *demo.PortInUseError
	require.True(t, errors.As(err, &busy), "%v", err)
	assert.Equal(t, port, busy.Port)
	assert.NotEqual(t, port, busy.Suggest)
	assert.Contains(t, err.Error(), "is in use: set GRAFANA_PORT=")

	require.NoError(t, listener.Close())
	require.NoError(t, demo.CheckPort(port), "free again")
}

func TestGrafanaEnv(t *testing.T) {
	env := demo.GrafanaEnv(3001, "secret")
	assert.Equal(t, "3001", env["GF_SERVER_HTTP_PORT"])
	assert.Equal(t, "http://localhost:3001/", env["GF_SERVER_ROOT_URL"])
	assert.Equal(t, "admin", env["GF_SECURITY_ADMIN_USER"])
	assert.Equal(t, "secret", env["GF_SECURITY_ADMIN_PASSWORD"])
	assert.Equal(t, "false", env["GF_AUTH_ANONYMOUS_ENABLED"], "anonymous Admin is deprecated: sign in instead")
	assert.NotContains(t, env, "GF_AUTH_ANONYMOUS_ORG_ROLE")
	assert.Equal(t, demo.DefaultAdminPassword, demo.AdminPassword(""))
	assert.Equal(t, "x", demo.AdminPassword("x"))
}
