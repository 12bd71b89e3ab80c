//go:build unix

package localpg

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"syscall"
)

// serviceAccount is the account PostgreSQL's packages create. initdb and the
// server refuse to run as root, so root runs them as this account instead.
const serviceAccount = "postgres"

func serviceIDs() (uid, gid uint32, err error) {
	account, err := user.Lookup(serviceAccount)
	if err != nil {
		return 0, 0, fmt.Errorf("running as root, PostgreSQL needs the unprivileged account %q: %w", serviceAccount, err)
	}
	u, uidErr := strconv.ParseUint(account.Uid, 10, 32)
	g, gidErr := strconv.ParseUint(account.Gid, 10, 32)
	if err := errors.Join(uidErr, gidErr); err != nil {
		return 0, 0, fmt.Errorf("account %q has ids %s:%s: %w", serviceAccount, account.Uid, account.Gid, err)
	}
	return uint32(u), uint32(g), nil
}

// prepareOwnership hands dir to the service account when running as root, and
// makes sure that account can reach it through its parent directories.
func prepareOwnership(dir string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	uid, gid, err := serviceIDs()
	if err != nil {
		return err
	}
	if err := os.Chown(dir, int(uid), int(gid)); err != nil {
		return err
	}
	for parent := filepath.Dir(dir); parent != filepath.Dir(parent); parent = filepath.Dir(parent) {
		info, err := os.Stat(parent)
		if err != nil {
			return err
		}
		if info.Mode().Perm()&0o001 == 0 {
			if err := os.Chmod(parent, info.Mode().Perm()|0o011); err != nil {
				return errors.Join(fmt.Errorf("the PostgreSQL account cannot reach %s", dir), err)
			}
		}
	}
	return nil
}

// dropPrivileges makes cmd run as the service account when running as root.
func dropPrivileges(cmd *exec.Cmd) error {
	if os.Geteuid() != 0 {
		return nil
	}
	uid, gid, err := serviceIDs()
	if err != nil {
		return err
	}
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uid, Gid: gid}}
	return nil
}

// giveToServer makes path the service account's when running as root, so
// that the server can read a file only its owner may read.
func giveToServer(path string) error {
	if os.Geteuid() != 0 {
		return nil
	}
	uid, gid, err := serviceIDs()
	if err != nil {
		return err
	}
	return os.Chown(path, int(uid), int(gid))
}
