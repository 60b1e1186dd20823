//go:build unix

package mailsync

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"

	"github.com/foitrack/foitrack/tracker"
)

// lockSyncFile takes the database's sync lock: an advisory lock on a file
// beside it, so that a `foitrack sync` and a running `serve` never fetch at
// once. The kernel drops the lock when its holder exits, even by kill -9,
// so a crash never leaves it stuck. The holder's pid is written in the file
// for the message another process gets.
func lockSyncFile(path string) (release func(), err error) {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("mailsync: unable to open the sync lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		holder, _ := os.ReadFile(path)
		f.Close()
		if err == syscall.EWOULDBLOCK {
			msg := "a mail sync is running already in another foitrack process"
			if pid, perr := strconv.Atoi(strings.TrimSpace(string(holder))); perr == nil && pid > 0 {
				msg += fmt.Sprintf(" (pid %d)", pid)
			}
			return nil, tracker.Errorf(tracker.ECONFLICT, "%s", msg)
		}
		return nil, fmt.Errorf("mailsync: unable to take the sync lock: %w", err)
	}
	_ = f.Truncate(0)
	_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	return func() {
		_ = f.Truncate(0)
		_ = syscall.Flock(int(f.Fd()), syscall.LOCK_UN)
		f.Close()
	}, nil
}
