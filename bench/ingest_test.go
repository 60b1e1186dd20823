package bench

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/foitrack/foitrack/internal/dovecottest"
	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
)

// TestIngestAgainstMbsync times foitrack's mail sync of one Dovecot mailbox
// against mbsync (isync) copying the same mailbox to a Maildir, in the same
// run, and prints the ratio. It is a measurement, not a check: it runs only
// with FOITRACK_BENCH=1 (see bench/README.md); FOITRACK_BENCH_MESSAGES sets
// the number of messages (default 10000).
func TestIngestAgainstMbsync(t *testing.T) {
	if os.Getenv("FOITRACK_BENCH") != "1" {
		t.Skip("a benchmark: run with FOITRACK_BENCH=1 (bench/README.md)")
	}
	mbsync, err := exec.LookPath("mbsync")
	if err != nil {
		t.Skip("mbsync is not installed (apt-get install isync)")
	}
	n := 10000
	if v, err := strconv.Atoi(os.Getenv("FOITRACK_BENCH_MESSAGES")); err == nil && v > 0 {
		n = v
	}
	d := dovecottest.Start(t)
	began := time.Now()
	bytes := 0
	for i := 0; i < n; i++ {
		raw := seed.SampleReply(i)
		bytes += len(raw)
		if _, err := d.Deliver(raw); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("delivered %d messages (%.1f MB) in %s", n, float64(bytes)/(1<<20), time.Since(began).Round(time.Millisecond))

	// Each round copies the same mailbox with mbsync into an empty Maildir
	// and then syncs it with foitrack into a fresh store; FOITRACK_BENCH_ROUNDS
	// (default 1) repeats both, for a median on a shared machine.
	rounds := 1
	if v, err := strconv.Atoi(os.Getenv("FOITRACK_BENCH_ROUNDS")); err == nil && v > 0 {
		rounds = v
	}
	var mbs, fts []time.Duration
	for r := 0; r < rounds; r++ {
		load := loadAverage()
		mb := runMbsync(t, d, mbsync, n)
		ft := runFoitrack(t, d, n, r)
		mbs, fts = append(mbs, mb), append(fts, ft)
		fmt.Printf("round %d: mbsync %s, foitrack sync %s: %.2f× (load average before: %s)\n", r+1,
			mb.Round(time.Millisecond), ft.Round(time.Millisecond), ft.Seconds()/mb.Seconds(), load)
	}
	mb, ft := median(mbs), median(fts)
	fmt.Printf("ingest of %d messages (%.1f MB) from Dovecot on loopback, median of %d: mbsync %s (%.0f msg/s), foitrack sync %s (%.0f msg/s): %.2f× mbsync; load average after: %s\n",
		n, float64(bytes)/(1<<20), rounds, mb.Round(time.Millisecond), float64(n)/mb.Seconds(), ft.Round(time.Millisecond),
		float64(n)/ft.Seconds(), ft.Seconds()/mb.Seconds(), loadAverage())
}

// runMbsync copies the mailbox with mbsync into an empty Maildir.
func runMbsync(t *testing.T, d *dovecottest.Server, mbsync string, n int) time.Duration {
	dir := t.TempDir()
	conf := filepath.Join(dir, "mbsyncrc")
	os.WriteFile(filepath.Join(dir, "pass"), []byte(d.Password()), 0o600)
	err := os.WriteFile(conf, []byte(fmt.Sprintf(`IMAPAccount bench
Host %s
Port %d
User %s
PassCmd "cat %s"
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account bench

MaildirStore local
Path %s/
Inbox %s/INBOX

Channel bench
Far :remote:
Near :local:
Patterns INBOX
Create Near
Sync Pull
SyncState *
`, d.Host(), d.Port(), d.User(), filepath.Join(dir, "pass"), filepath.Join(dir, "mail"), filepath.Join(dir, "mail"))), 0o600)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(filepath.Join(dir, "mail"), 0o700)
	start := time.Now()
	out, err := exec.Command(mbsync, "-c", conf, "-q", "bench").CombinedOutput()
	mb := time.Since(start)
	if err != nil {
		t.Fatalf("mbsync: %v\n%s", err, out)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "mail", "INBOX", "*", "*"))
	if len(files) != n {
		t.Fatalf("mbsync copied %d messages, want %d", len(files), n)
	}
	return mb
}

// runFoitrack runs one sync pass into a fresh store (DKIM off: the messages
// are unsigned and the machine has no DNS; mbsync checks nothing either).
// FOITRACK_BENCH_CPUPROFILE names a file for the CPU profile of the first
// round's sync.
func runFoitrack(t *testing.T, d *dovecottest.Server, n, round int) time.Duration {
	ctx := store.WithActor(context.Background(), "bench")
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	t.Setenv("FOITRACK_BENCH_IMAP_PASSWORD", d.Password())
	s := &mailsync.Syncer{Store: st, Config: mailsync.Config{Host: d.Host(), Port: d.Port(), TLS: mailsync.TLSModePlain,
		Username: d.User(), PasswordEnv: "FOITRACK_BENCH_IMAP_PASSWORD", DKIM: "off"}}
	if p := os.Getenv("FOITRACK_BENCH_CPUPROFILE"); p != "" && round == 0 {
		f, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	start := time.Now()
	sum, err := s.Run(ctx)
	ft := time.Since(start)
	if err != nil {
		t.Fatalf("foitrack sync: %v (%+v)", err, sum)
	}
	if sum.Fetched != n {
		t.Fatalf("foitrack fetched %d, want %d (%+v)", sum.Fetched, n, sum)
	}
	return ft
}

func median(d []time.Duration) time.Duration {
	s := append([]time.Duration(nil), d...)
	slices.Sort(s)
	return s[len(s)/2]
}

// loadAverage is the machine's 1, 5 and 15 minute load average.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
