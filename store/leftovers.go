package store

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Temporary files and folders a command writes beside its result (a
// backup's database snapshot in the data directory, its partial archive
// beside the target, a restore's folder beside the new data directory) are
// named <prefix><pid>-<random>. A run stopped by SIGINT or SIGTERM removes
// its own; one killed outright (SIGKILL, a power cut) cannot, and the next
// run (and, for the data directory, every Open) removes them: those whose
// process is gone or, without a pid (an older version) or where a process
// cannot be asked, untouched for staleIncoming. Those of a live process are
// left alone.

// Prefixes of temporary names.
const (
	BackupSnapshotPrefix = ".backup-"          // in the data directory
	BackupArchivePrefix  = ".foitrack-backup-" // beside the backup file
	restoringInfix       = ".restoring-"       // .<target>.restoring-, beside the target
)

// LeftoverPattern is the os.CreateTemp / os.MkdirTemp pattern of this
// process's temporary names with prefix.
func LeftoverPattern(prefix string) string {
	return prefix + strconv.Itoa(os.Getpid()) + "-*"
}

// RemoveLeftovers removes from dir what a killed run left under prefix,
// and says how many it removed. Errors are ignored: a leftover that cannot
// be removed is only wasted space, tried again next time.
func RemoveLeftovers(dir, prefix string) int {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return 0
	}
	n := 0
	now := time.Now()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, prefix) {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue
		}
		leftover := now.Sub(info.ModTime()) > staleIncoming
		if pidText, _, ok := strings.Cut(strings.TrimPrefix(name, prefix), "-"); ok && !leftover {
			if pid, err := strconv.Atoi(pidText); err == nil && pid > 0 {
				leftover = pid != os.Getpid() && !processAlive(pid)
			}
		}
		if leftover && os.RemoveAll(filepath.Join(dir, name)) == nil {
			n++
		}
	}
	return n
}
