//go:build !unix

package localpg

import "os/exec"

func prepareOwnership(string) error { return nil }

func dropPrivileges(*exec.Cmd) error { return nil }

func giveToServer(string) error { return nil }
