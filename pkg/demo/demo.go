// Package demo holds what the demo's two paths (docker compose, and a local
// store with the machine's Grafana) share, so that they stay the same: the
// seed flags, Grafana's settings, the port check, and running Grafana in a
// process group of its own. The Magefile's Demo target uses it; the plugin
// never imports it.
package demo

import (
	"fmt"
	"net"
	"strconv"
	"strings"
)

// DefaultPort is Grafana's port when GRAFANA_PORT is not set.
const DefaultPort = 3000

// AdminUser is the Grafana user the demo signs in with.
const AdminUser = "admin"

// DefaultAdminPassword is the admin's password when GRAFANA_ADMIN_PASSWORD is
// not set. Grafana sets it when it creates its database (the first start);
// later starts keep the password the database holds.
const DefaultAdminPassword = "chatbot-demo" //nolint:gosec // a local demo's published password, printed at every start

// SpikeTeam is the team whose queue fails in the demo data: the alert rules
// "Missed conversations spike" and "Customers waiting for an agent" fire for it.
const SpikeTeam = "Sales"

// SeedFlags are the generator's flags of both paths: 90 days of 2000 contacts
// ending now, with the missed spike, replacing the data of an earlier run so
// that every start shows data up to that moment. The local path passes them
// to `chatbot-store local start -seed`, docker-compose.yml's seed service to
// `chatbot-store seed` (a test keeps the two equal).
var SeedFlags = []string{"-replace", "-until", "now", "-days", "90", "-contacts", "2000", "-spike-team", SpikeTeam}

// Port reads GRAFANA_PORT's value: DefaultPort when empty.
func Port(value string) (int, error) {
	value = strings.TrimSpace(value)
	if value == "" {
		return DefaultPort, nil
	}
	port, err := strconv.Atoi(value)
	if err != nil || port < 1 || port > 65535 {
		return 0, fmt.Errorf("GRAFANA_PORT=%q is not a port: use a number from 1 to 65535, such as 3001", value)
	}
	return port, nil
}

// AdminPassword reads GRAFANA_ADMIN_PASSWORD's value: DefaultAdminPassword when empty.
func AdminPassword(value string) string {
	if value == "" {
		return DefaultAdminPassword
	}
	return value
}

// PortInUseError is CheckPort's error for a busy port.
type PortInUseError struct {
	Port    int // the busy port
	Suggest int // a free port to use instead
}

func (e *PortInUseError) Error() string {
	return fmt.Sprintf("port %d is in use: set GRAFANA_PORT=%d (or another free port) and run the demo again, or stop what listens on %d",
		e.Port, e.Suggest, e.Port)
}

// CheckPort tells whether Grafana can listen on port, on every interface as
// it does; a busy port is a *PortInUseError that says how to choose another.
func CheckPort(port int) error {
	listener, err := net.Listen("tcp", ":"+strconv.Itoa(port))
	if err != nil {
		return &PortInUseError{Port: port, Suggest: suggest(port)}
	}
	return listener.Close()
}

// suggest is a free port above port to propose, or port+1 when none of the
// next few is free.
func suggest(port int) int {
	for p := port + 1; p <= min(port+20, 65535); p++ {
		if listener, err := net.Listen("tcp", ":"+strconv.Itoa(p)); err == nil {
			_ = listener.Close()
			return p
		}
	}
	return port + 1
}

// URL is where Grafana answers on this machine.
func URL(port int) string { return "http://localhost:" + strconv.Itoa(port) + "/" }

// GrafanaEnv are the Grafana settings both paths give Grafana: the port, its
// public URL, sign-in as the admin user with the demo's password (anonymous
// access off: Grafana deprecated anonymous Editor and Admin roles), and the
// unsigned plugin allowed. docker-compose.yml repeats them with ${...}
// variables; a test keeps the two equal.
func GrafanaEnv(port int, adminPassword string) map[string]string {
	return map[string]string{
		"GF_SERVER_HTTP_PORT":                       strconv.Itoa(port),
		"GF_SERVER_ROOT_URL":                        URL(port),
		"GF_SECURITY_ADMIN_USER":                    AdminUser,
		"GF_SECURITY_ADMIN_PASSWORD":                adminPassword,
		"GF_AUTH_ANONYMOUS_ENABLED":                 "false",
		"GF_PLUGINS_ALLOW_LOADING_UNSIGNED_PLUGINS": "chatbotmetrics-chatbot-datasource",
	}
}
