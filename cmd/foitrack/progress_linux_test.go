package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair: the side a program writes to (a
// terminal, to it) and the side that reads what it wrote.
func openPTY(t *testing.T) (term, reader *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals here: %v", err)
	}
	if err := unix.IoctlSetPointerInt(int(m.Fd()), unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		t.Skipf("unlockpt: %v", err)
	}
	n, err := unix.IoctlGetInt(int(m.Fd()), unix.TIOCGPTN)
	if err != nil {
		m.Close()
		t.Skipf("ptsname: %v", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		t.Skipf("open pts: %v", err)
	}
	t.Cleanup(func() { s.Close(); m.Close() })
	return s, m
}

// readTerminalUntil reads the terminal's other end until want appears, the
// terminal closes or 2 minutes pass (the command writing to it runs under
// -race on a loaded machine), and sends what it read.
func readTerminalUntil(reader *os.File, want string) <-chan string {
	got := make(chan string, 1)
	go func() {
		var all []byte
		buf := make([]byte, 4096)
		reader.SetReadDeadline(time.Now().Add(2 * time.Minute))
		for {
			n, err := reader.Read(buf)
			all = append(all, buf[:n]...)
			if err != nil || bytes.Contains(all, []byte(want)) {
				got <- string(all)
				return
			}
		}
	}()
	return got
}

// TestProgressOnlyOnATerminal: a long command (here timeline import) draws
// a bar on standard error when it is a terminal, and writes no \r or
// escape codes into a pipe.
func TestProgressOnlyOnATerminal(t *testing.T) {
	events := t.TempDir()
	for i := 0; i < 30; i++ {
		os.WriteFile(filepath.Join(events, fmt.Sprintf("2026-03-%02d--e%d.md", i%28+1, i)),
			[]byte(fmt.Sprintf("---\nid: 2026-03-%02d--e%d\ndate: 2026-03-%02d\ntitle: Event %d\n---\nBody\n", i%28+1, i, i%28+1, i)), 0o600)
	}
	var out, errb bytes.Buffer
	if code := run([]string{"--data", t.TempDir(), "timeline", "import", events}, strings.NewReader(""), &out, &errb); code != 0 {
		t.Fatalf("exit %d: %s", code, errb.String())
	}
	if strings.ContainsAny(errb.String(), "\r\x1b") {
		t.Fatalf("progress written into a pipe: %q", errb.String())
	}

	term, reader := openPTY(t)
	got := readTerminalUntil(reader, "importing events")
	env := &Env{Ctx: context.Background(), DataDir: t.TempDir(), Stdout: &out, Stderr: term, Stdin: strings.NewReader("")}
	if err := timelineImport(env, []string{events}); err != nil {
		t.Fatal(err)
	}
	env.st.Close()
	if s := <-got; !strings.Contains(s, "importing events") {
		t.Fatalf("no progress bar on a terminal: %q", s)
	}
}

// TestEveryLongCommandShowsProgress: each long command draws its bar on
// standard error when that is a terminal, and writes no \r or escape codes
// into a pipe.
func TestEveryLongCommandShowsProgress(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "authority", "import", filepath.Join("testdata", "authorities.csv"))
	mustCLI(t, dir, "request", "add", "--authority", "1", "--title", "Gritting routes", "--sent", "2026-03-02")
	file := filepath.Join(t.TempDir(), "reply.txt")
	os.WriteFile(file, []byte("The gritting routes are attached.\n"), 0o600)
	mustCLI(t, dir, "document", "add", "--request", "1", "--file", file)
	archive := filepath.Join(t.TempDir(), "backup.tar.gz")
	mustCLI(t, dir, "backup", archive)
	for _, c := range []struct {
		desc string
		args func() []string // run once in a pipe, once on a terminal
	}{
		{"backup: files", func() []string {
			return []string{"--data", dir, "backup", filepath.Join(t.TempDir(), "b.tar.gz")}
		}},
		{"restoring", func() []string {
			return []string{"--data", filepath.Join(t.TempDir(), "restored"), "restore", archive}
		}},
		{"re-hashing stored files", func() []string { return []string{"--data", dir, "audit", "verify"} }},
		{"recomputing requests", func() []string { return []string{"--data", dir, "recompute"} }},
		{"importing authorities", func() []string {
			return []string{"--data", dir, "authority", "import", filepath.Join("testdata", "authorities.csv")}
		}},
		{"seeding requests", func() []string {
			return []string{"--data", t.TempDir(), "dev", "seed", "--requests", "3", "--messages", "2"}
		}},
		{"reading the document's text", func() []string { return []string{"--data", dir, "document", "reextract", "1"} }},
	} {
		t.Run(strings.Fields(c.desc)[0], func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := run(c.args(), strings.NewReader(""), &out, &errb); code != 0 {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			if strings.ContainsAny(errb.String(), "\r\x1b") {
				t.Fatalf("progress written into a pipe: %q", errb.String())
			}
			term, reader := openPTY(t)
			got := readTerminalUntil(reader, c.desc)
			out.Reset()
			if code := run(c.args(), strings.NewReader(""), &out, term); code != 0 {
				t.Fatalf("exit %d on a terminal", code)
			}
			term.Close() // the reader sees the end once it has read all
			if s := <-got; !strings.Contains(s, c.desc) {
				t.Fatalf("no %q bar on a terminal: %q", c.desc, s)
			}
		})
	}
}
