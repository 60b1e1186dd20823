//go:build unix

package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// TestHelperProcess is foitrack in a process of its own (for tests that
// kill it); it does nothing unless FOITRACK_HELPER_PROCESS is set.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("FOITRACK_HELPER_PROCESS") != "1" {
		return
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	os.Exit(run(args, os.Stdin, os.Stdout, os.Stderr))
}

// foitrackProcess starts foitrack args in a process of its own; out is
// what it prints (stdout and stderr), as it prints it.
func foitrackProcess(t *testing.T, args ...string) (cmd *exec.Cmd, out *lockedBuffer) {
	t.Helper()
	cmd = exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperProcess$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), "FOITRACK_HELPER_PROCESS=1")
	out = &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			cmd.Wait()
		}
		if t.Failed() {
			t.Logf("foitrack %s:\n%s", strings.Join(args, " "), out.String())
		}
	})
	return cmd, out
}

// waitForOutput waits until the process has printed want (a minute at
// most: a loaded machine).
func waitForOutput(t *testing.T, out *lockedBuffer, want string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !strings.Contains(out.String(), want); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("the process did not print %q; it printed:\n%s", want, out.String())
		}
	}
}

// backupStuckOnABlob makes a data directory with one document whose stored
// file is replaced by a named pipe, and starts foitrack backup on it: the
// backup blocks on opening that file, mid-way (database snapshot taken,
// archive begun). It returns once the backup is there; closing the pipe
// (the returned function) lets it go on.
func backupStuckOnABlob(t *testing.T, dir, archive string) (*exec.Cmd, *lockedBuffer, func()) {
	t.Helper()
	ctx := store.WithActor(context.Background(), "test")
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	a := tracker.Authority{Name: "Barsetshire County Council", Jurisdiction: "uk-england"}
	r := tracker.Request{Title: "Potholes"}
	d := tracker.Document{Filename: "reply.txt", Disposition: tracker.DispositionReleased}
	if err := st.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	r.AuthorityID = a.ID
	if err := st.CreateRequest(ctx, &r, tracker.Date{}); err != nil {
		t.Fatal(err)
	}
	d.RequestID = r.ID
	// Empty, so that the pipe, which reads as empty, has the right content.
	if err := st.AddDocument(ctx, &d, strings.NewReader(""), 0); err != nil {
		t.Fatal(err)
	}
	st.Close()
	blob := filepath.Join(dir, "blobs", d.SHA256[:2], d.SHA256)
	if err := os.Remove(blob); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(blob, 0o640); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
	cmd, out := foitrackProcess(t, "--data", dir, "backup", "--quiet", archive)
	// Opening the pipe's writing end without blocking succeeds once the
	// backup holds its reading end open.
	var w *os.File
	for w == nil {
		f, err := os.OpenFile(blob, os.O_WRONLY|syscall.O_NONBLOCK, 0)
		switch {
		case err == nil:
			w = f
		case errors.Is(err, syscall.ENXIO):
			if cmd.ProcessState != nil {
				t.Fatal("the backup ended before reading the stored file")
			}
			time.Sleep(10 * time.Millisecond)
		default:
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { w.Close() })
	return cmd, out, func() { w.Close() }
}

// leftovers lists the temporary backup files and folders in dirs.
func leftovers(t *testing.T, dirs ...string) []string {
	t.Helper()
	var out []string
	for _, dir := range dirs {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if strings.Contains(e.Name(), "backup-") || strings.Contains(e.Name(), "restoring-") {
				out = append(out, filepath.Join(dir, e.Name()))
			}
		}
	}
	return out
}

// TestKilledBackupLeavesNothingBehind: foitrack backup killed with SIGKILL
// mid-way (no chance to clean up) leaves its temporary snapshot folder in
// the data directory and its partial archive beside the target; the next
// backup removes both (and so does opening the data directory, as serve
// does). SIGTERM cleans up at once.
func TestKilledBackupLeavesNothingBehind(t *testing.T) {
	dir, outDir := t.TempDir(), t.TempDir()
	archive := filepath.Join(outDir, "backup.tar.gz")
	cmd, _, _ := backupStuckOnABlob(t, dir, archive)
	if err := cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	left := leftovers(t, dir, outDir)
	if len(left) != 2 {
		t.Fatalf("a killed backup left %q: want its snapshot folder and its partial archive", left)
	}

	// A killed backup's leftovers are removed by the next one, while a
	// live backup's are left alone.
	fifoDoc := func() string {
		entries, _ := filepath.Glob(filepath.Join(dir, "blobs", "*", "*"))
		return entries[0]
	}()
	os.Remove(fifoDoc)
	os.WriteFile(fifoDoc, nil, 0o640)
	mustCLI(t, dir, "backup", "--quiet", archive)
	if left := leftovers(t, dir, outDir); len(left) != 0 {
		t.Fatalf("the next backup left %q", left)
	}

	// Opening the data directory (serve, any command) removes a killed
	// backup's snapshot folder too.
	dir2 := t.TempDir()
	cmd, _, _ = backupStuckOnABlob(t, dir2, filepath.Join(outDir, "b2.tar.gz"))
	cmd.Process.Kill()
	cmd.Wait()
	if left := leftovers(t, dir2); len(left) != 1 {
		t.Fatalf("a killed backup left %q in the data directory", left)
	}
	st, err := store.Open(context.Background(), dir2)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if left := leftovers(t, dir2); len(left) != 0 {
		t.Fatalf("opening the data directory left %q", left)
	}

	// SIGTERM: the backup stops and removes what it wrote. The stored
	// file is let go only once the process says it is stopping: a signal
	// is handled on another goroutine, and a backup let go at once could
	// finish before it is (CI saw "a backup stopped by SIGTERM exited 0").
	dir3 := t.TempDir()
	cmd, out, unblock := backupStuckOnABlob(t, dir3, filepath.Join(outDir, "b3.tar.gz"))
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitForOutput(t, out, "terminated: stopping")
	unblock()
	if err := cmd.Wait(); err == nil {
		t.Fatal("a backup stopped by SIGTERM exited 0")
	}
	if want := "foitrack backup: stopped before it finished (interrupted)"; !strings.Contains(out.String(), want) {
		t.Errorf("a backup stopped by SIGTERM printed %q, want %q", out.String(), want)
	}
	if left := leftovers(t, dir3, outDir); len(left) != 0 {
		t.Fatalf("a backup stopped by SIGTERM left %q", left)
	}
	if _, err := os.Stat(filepath.Join(outDir, "b3.tar.gz")); err == nil {
		t.Fatal("a backup stopped by SIGTERM left an archive")
	}
}
