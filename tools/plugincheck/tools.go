//go:build tools

// Package tools pins Grafana's plugin validator, which `mage validate` builds
// from this module: a module of its own keeps the validator's many
// dependencies out of the plugin's go.mod, and outside ./pkg/... builds.
package tools

import _ "github.com/grafana/plugin-validator/pkg/cmd/plugincheck2"
