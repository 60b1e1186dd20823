package store

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// A blob is written to <BlobDir>/.incoming-<pid>-<random> and renamed to its
// hash once complete (WriteBlob). A process killed in between (kill -9, a
// power cut) leaves that file behind: never named by any row, it is only
// wasted space. Every Open removes such leftovers: a file whose writer
// process is gone, or (written by an older version, without the pid, or
// where a process cannot be asked) one untouched for an hour. A file another
// live process is still writing is left alone: several foitrack processes
// share a data directory (serve, and a sync or an import beside it).

// incomingPrefix starts the name of a blob being written.
const incomingPrefix = ".incoming-"

// staleIncoming is how long an incoming file of an unknown writer must have
// been left untouched before it is taken for a leftover.
const staleIncoming = time.Hour

// IncomingCleanup is what Open found of the blob files a killed run left.
type IncomingCleanup struct {
	Removed      int   // leftovers removed
	RemovedBytes int64 // their size
	Kept         int   // incoming files still being written (or not removable)
}

// incomingPattern is the os.CreateTemp pattern of this process's blob files.
func incomingPattern() string {
	return incomingPrefix + strconv.Itoa(os.Getpid()) + "-*"
}

// cleanIncoming removes the leftovers in dir.
func cleanIncoming(dir string, now time.Time) IncomingCleanup {
	var c IncomingCleanup
	entries, err := os.ReadDir(dir)
	if err != nil {
		return c
	}
	for _, e := range entries {
		name := e.Name()
		if !strings.HasPrefix(name, incomingPrefix) || e.IsDir() {
			continue
		}
		info, err := e.Info()
		if err != nil {
			continue // gone meanwhile: renamed by its writer
		}
		leftover := now.Sub(info.ModTime()) > staleIncoming
		if pid, ok := incomingWriter(name); ok && !leftover {
			leftover = pid != os.Getpid() && !processAlive(pid)
		}
		if !leftover {
			c.Kept++
			continue
		}
		if err := os.Remove(filepath.Join(dir, name)); err != nil {
			if !errors.Is(err, os.ErrNotExist) {
				c.Kept++
			}
			continue
		}
		c.Removed++
		c.RemovedBytes += info.Size()
	}
	return c
}

// incomingWriter reads the writer's pid from ".incoming-<pid>-<random>".
func incomingWriter(name string) (int, bool) {
	rest := strings.TrimPrefix(name, incomingPrefix)
	pidText, _, ok := strings.Cut(rest, "-")
	if !ok {
		return 0, false
	}
	pid, err := strconv.Atoi(pidText)
	return pid, err == nil && pid > 0
}

// processAlive reports whether process pid runs. Where that cannot be
// asked (Windows, plan9) it says yes, leaving the file to the age rule.
func processAlive(pid int) bool {
	if runtime.GOOS == "windows" || runtime.GOOS == "plan9" {
		return true
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, os.ErrPermission)
}
