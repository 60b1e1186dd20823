package mailsync

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/foitrack/foitrack/internal/dovecottest"
	"github.com/foitrack/foitrack/internal/testenv"
	"github.com/foitrack/foitrack/store"
)

// Integration tests against a real Dovecot (Debian dovecot-imapd), started
// by internal/dovecottest on 127.0.0.1. Without Dovecot they skip locally
// and fail under CI=true.

func newDovecotFixture(t *testing.T) (*fixture, *dovecottest.Server) {
	t.Helper()
	d := dovecottest.Start(t)
	cfg := Config{Host: d.Host(), Port: d.Port(), TLS: TLSModePlain, Username: d.User()}
	return newFixtureFor(t, cfg, d.Password()), d
}

func deliver(t *testing.T, d *dovecottest.Server, raw string) uint32 {
	t.Helper()
	uid, err := d.Deliver([]byte(raw))
	if err != nil {
		t.Fatal(err)
	}
	return uid
}

// numbered is the i-th message of a bulk test: small, each one different.
func numbered(prefix string, i int) string {
	return textMail("Clerk <clerk@elsewhere.example>", "requests@example.org", fmt.Sprintf("%s message %d", prefix, i),
		fmt.Sprintf("%s-%d@elsewhere.example", prefix, i), fmt.Sprintf("Message number %d.", i))
}

func TestDovecotThousandMessagesInOnePass(t *testing.T) {
	f, d := newDovecotFixture(t)
	const n = 1000
	for i := 0; i < n; i++ {
		deliver(t, d, numbered("bulk", i))
	}
	s := f.syncer()
	progressCalls, lastDone, lastTotal := 0, 0, 0
	s.Progress = func(p Progress) { progressCalls, lastDone, lastTotal = progressCalls+1, p.Done, p.Total }
	sum, err := s.Run(f.ctx)
	if err != nil {
		t.Fatal(err)
	}
	if sum.Fetched != n || sum.Unmatched != n || sum.Retries != 0 || progressCalls != n || lastDone != n || lastTotal != n {
		t.Fatalf("summary %+v, progress %d calls ending %d/%d", sum, progressCalls, lastDone, lastTotal)
	}
	f.assertStoredOnce(n)
	if sum := f.sync(); sum.Fetched != 0 || sum.Duplicates != 0 {
		t.Fatalf("rerun: %+v", sum)
	}
}

func TestDovecotRestartMidFetchResumes(t *testing.T) {
	f, d := newDovecotFixture(t)
	const n = 60
	for i := 0; i < n; i++ {
		deliver(t, d, numbered("restart", i))
	}
	s := f.syncer()
	s.BatchBytes = 4000 // several FETCH commands: the restart lands inside the third
	s.Backoff = 200 * time.Millisecond
	restarted := 0
	s.Dial = droppingDial(func() { restarted++; d.Restart(t) }, 3)
	sum, err := s.Run(f.ctx)
	if err != nil {
		t.Fatalf("sync: %v\n%s", err, d.Log())
	}
	if restarted != 1 || sum.Retries < 1 || sum.Fetched != n {
		t.Fatalf("restarted %d; summary %+v", restarted, sum)
	}
	f.assertStoredOnce(n)
}

func TestDovecotUIDValidityChange(t *testing.T) {
	f, d := newDovecotFixture(t)
	for i := 0; i < 8; i++ {
		deliver(t, d, numbered("uv", i))
	}
	if sum := f.sync(); sum.Fetched != 8 {
		t.Fatalf("first pass %+v", sum)
	}
	before, after := d.ChangeUIDValidity(t)
	deliver(t, d, numbered("uv-new", 1))
	sum := f.sync()
	if !sum.Rescan || sum.Duplicates != 8 || sum.Fetched != 1 {
		t.Fatalf("after UIDVALIDITY %d → %d: %+v", before, after, sum)
	}
	f.assertStoredOnce(9)
	cp, _, _ := f.st.MailCheckpoint(f.ctx, "INBOX")
	if cp.UIDValidity != after {
		t.Fatalf("checkpoint UIDVALIDITY %d, want %d", cp.UIDValidity, after)
	}
	if sum := f.sync(); sum.Fetched != 0 || sum.Duplicates != 0 {
		t.Fatalf("third pass %+v", sum)
	}
}

// Every message of the shared real-world corpus is stored through a sync
// from Dovecot, byte for byte, and, once filed on a request, every
// attachment the parser finds in it becomes a document. (Dovecot, not the
// in-process server: that one rewrites headers and serves nothing for a
// header it cannot parse.)
func TestDovecotSharedCorpus(t *testing.T) {
	dir := testenv.SharedDir(t, "fixtures/emails")
	files, err := filepath.Glob(filepath.Join(dir, "*.eml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus in %s: %v", dir, err)
	}
	f, d := newDovecotFixture(t)
	f.sameContentOK = true // two of the files are empty
	raws := map[uint32][]byte{}
	names := map[uint32]string{}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		raw = crlf(raw) // as an MTA delivers it
		uid, err := d.Deliver(raw)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		raws[uid], names[uid] = raw, filepath.Base(file)
	}
	sum := f.sync()
	if sum.Fetched != len(files) || sum.Fetched != sum.Matched+sum.Unmatched+sum.Failed {
		t.Fatalf("summary %+v for %d files", sum, len(files))
	}
	f.assertStoredOnce(len(files))
	list, _ := f.st.MailMessages(f.ctx, store.MailFilter{Direction: "in"})
	in := Ingester{Store: f.st, Resolver: noDNS{}}
	totalDocs := 0
	for _, m := range list {
		name := names[m.UID]
		blob, err := f.st.OpenBlob(m.RawSHA256)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		b, _ := io.ReadAll(blob)
		blob.Close()
		if string(b) != string(raws[m.UID]) {
			t.Errorf("%s: stored bytes differ from the delivered message", name)
		}
		if m.RequestID == 0 {
			if _, err := in.Assign(f.ctx, m.ID, f.stops.ID); err != nil {
				t.Errorf("%s: assign: %v", name, err)
				continue
			}
		}
		m, _ = f.st.MailMessageByID(f.ctx, m.ID)
		docs, _ := f.st.Documents(f.ctx, store.DocumentFilter{MessageID: m.ID})
		got := map[string]bool{}
		for _, d := range docs {
			got[d.SHA256] = true
			if strings.ContainsAny(d.Filename, `/\`) || d.Filename == "" {
				t.Errorf("%s: document name %q", name, d.Filename)
			}
		}
		pm, perr := ParseMessage(raws[m.UID], Limits{})
		want := map[string]bool{}
		for _, a := range documentAttachments(pm) {
			want[a.SHA256] = true
		}
		if perr != nil {
			if m.State != store.MailFailed || m.Error == "" {
				t.Errorf("%s: unparseable (%v) but stored as %s %q", name, perr, m.State, m.Error)
			}
			continue
		}
		for sum := range want {
			if !got[sum] {
				t.Errorf("%s: attachment %s… did not become a document", name, sum[:12])
			}
		}
		if len(got) != len(want) {
			t.Errorf("%s: %d documents, the parser finds %d attachments", name, len(got), len(want))
		}
		totalDocs += len(docs)
		t.Logf("%-52s %-9s %2d documents %s", name, m.State, len(docs), m.Error)
	}
	if totalDocs < 20 {
		t.Fatalf("only %d documents from the whole corpus", totalDocs)
	}
}

// The crash test runs the sync in a child process (this test binary again)
// against Dovecot and kills it with SIGKILL at random moments, several
// times, then lets a last run finish: every message is stored exactly once.
const (
	childDirEnv  = "FOITRACK_SYNC_CHILD_DIR"
	childAddrEnv = "FOITRACK_SYNC_CHILD_ADDR"
	childUserEnv = "FOITRACK_SYNC_CHILD_USER"
	// childBatchEnv is the child's Syncer.BatchBytes.
	childBatchEnv = "FOITRACK_SYNC_CHILD_BATCH"
)

// TestSyncChildProcess is the child: it does nothing unless started by
// TestDovecotKilledSyncLosesAndDuplicatesNothing.
func TestSyncChildProcess(t *testing.T) {
	dir := os.Getenv(childDirEnv)
	if dir == "" {
		t.Skip("only run as the crash test's child process")
	}
	host, port, _ := strings.Cut(os.Getenv(childAddrEnv), ":")
	p, _ := strconv.Atoi(port)
	ctx := store.WithActor(context.Background(), "crash-child")
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	cfg := Config{Host: host, Port: p, TLS: TLSModePlain, Username: os.Getenv(childUserEnv), PasswordEnv: testPasswordEnv}
	batchBytes, _ := strconv.ParseInt(os.Getenv(childBatchEnv), 10, 64)
	s := &Syncer{Store: st, Config: cfg, Ingest: Ingester{Resolver: noDNS{}}, BatchBytes: batchBytes, Backoff: 50 * time.Millisecond}
	// The parent reads these lines to kill the child mid-pass.
	s.Progress = func(p Progress) { fmt.Fprintf(os.Stdout, "progress %d/%d\n", p.Done, p.Total) }
	if _, err := s.Run(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestDovecotKilledSyncLosesAndDuplicatesNothing(t *testing.T) {
	// Small batches (a few messages each), and batches of some forty
	// messages, so that kills land inside a batch's blob writes, its
	// transaction, and its processing while the next batch is stored.
	t.Run("small batches", func(t *testing.T) { killedSync(t, 3000, 6, 40) })
	t.Run("large batches", func(t *testing.T) { killedSync(t, 16000, 3, 20) })
}

// killedSync kills a child sync kills times, each after up to maxAfter
// messages, with batches of batchBytes, then lets a last run finish.
func killedSync(t *testing.T, batchBytes int64, kills, maxAfter int) {
	f, d := newDovecotFixture(t)
	const n = 300
	for i := 0; i < n; i++ {
		raw := numbered("crash", i)
		if i%5 == 0 { // some with an attachment: documents are written too
			raw = mailWithPDF("Disclosure <disclosure@ambridge.police.uk>", "requests@example.org", fmt.Sprintf("Release %d", i),
				fmt.Sprintf("crash-%d@elsewhere.example", i), "Please find attached the information released.")
		}
		deliver(t, d, raw)
	}
	dir := filepath.Dir(f.st.Path())
	f.st.Close() // the children own the database now
	rng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 7))
	// run starts a child; with killAfter > 0 it kills it with SIGKILL once
	// the child has stored that many messages, after a further random
	// pause of up to 20ms, so that the kill lands anywhere: in a
	// transaction, between storing and processing, mid-FETCH.
	run := func(killAfter int) (stored int) {
		t.Helper()
		cmd := exec.Command(os.Args[0], "-test.run=^TestSyncChildProcess$", "-test.count=1", "-test.v")
		cmd.Env = append(os.Environ(), childDirEnv+"="+dir, childAddrEnv+"="+d.Addr(), childUserEnv+"="+d.User(),
			testPasswordEnv+"="+d.Password(), childBatchEnv+"="+strconv.FormatInt(batchBytes, 10))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		lines := bufio.NewScanner(stdout)
		killed := false
		progress := 0
		for lines.Scan() {
			out.WriteString(lines.Text() + "\n")
			if rest, ok := strings.CutPrefix(lines.Text(), "progress "); ok {
				progress++
				// The earlier children, killed a little after their
				// kill point, may have stored nearly everything: kill
				// this one half-way through what is left rather than
				// after more messages than there are.
				_, total, _ := strings.Cut(rest, "/")
				if left, err := strconv.Atoi(total); err == nil && progress == 1 && left < killAfter {
					t.Logf("only %d messages left: killed after %d rather than %d", left, max(1, left/2), killAfter)
					killAfter = max(1, left/2)
				}
			}
			if killAfter > 0 && progress == killAfter && !killed {
				time.Sleep(time.Duration(rng.IntN(20_000)) * time.Microsecond)
				cmd.Process.Signal(syscall.SIGKILL)
				killed = true
			}
		}
		err = cmd.Wait()
		if killAfter > 0 && !killed && progress > 0 {
			t.Fatalf("the child finished before %d messages: %v\n%s%s", killAfter, err, out.String(), stderr.String())
		}
		if killAfter == 0 && err != nil {
			t.Fatalf("last run: %v\n%s%s", err, out.String(), stderr.String())
		}
		st, err := store.Open(f.ctx, dir)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		stored, err = st.CountMail(f.ctx, store.MailFilter{Direction: "in"})
		if err != nil {
			t.Fatal(err)
		}
		return stored
	}
	for i := 0; i < kills; i++ {
		// Each child starts where the last one was killed; kill it within
		// its first maxAfter messages, so that the kills fit in the mailbox.
		k := 1 + rng.IntN(maxAfter)
		t.Logf("kill %d after %d messages: %d of %d stored", i+1, k, run(k), n)
	}
	if stored := run(0); stored != n {
		t.Fatalf("after the last run %d messages stored, the mailbox holds %d", stored, n)
	}
	st, err := store.Open(f.ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	f.st = st
	t.Cleanup(func() { st.Close() })
	f.assertStoredOnce(n)
	// Each release made its one document, once.
	docs, _ := st.Documents(f.ctx, store.DocumentFilter{})
	if len(docs) != n/5 {
		t.Fatalf("%d documents, want %d (one per release)", len(docs), n/5)
	}
	if _, brk, err := st.VerifyAuditChain(f.ctx); err != nil || brk != nil {
		t.Fatalf("audit chain: %v %v", brk, err)
	}
}
