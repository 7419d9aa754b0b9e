//go:build unix

package apply

import (
	"errors"
	"os"
	"syscall"
)

// lockFile takes an exclusive lock on f (flock) without waiting, and
// reports whether it got it. The lock is held until f is closed; the
// kernel releases it when the process ends, however it ends, so that a
// run killed with SIGKILL leaves no stale lock behind.
func lockFile(f *os.File) (bool, error) {
	err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
	switch {
	case err == nil:
		return true, nil
	case errors.Is(err, syscall.EWOULDBLOCK):
		return false, nil
	}
	return false, err
}
