package store_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/foitrack/foitrack"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// Passwords are hashed at bcrypt's lowest cost in this package's tests, as
// in the server's, the commands' and the seeder's: no test here is about
// the cost, and at the default cost each user a test or a seed created
// took seconds under -race.
func init() { store.PasswordCost = bcrypt.MinCost }

// MustOpenDB opens a store on a fresh data directory, closed with the test.
func MustOpenDB(t testing.TB) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// mustAuthority creates an authority.
func mustAuthority(t testing.TB, st *store.Store, name, jurisdiction string) tracker.Authority {
	t.Helper()
	a := tracker.Authority{Name: name, Jurisdiction: jurisdiction, Email: "foi@" + strings.ReplaceAll(strings.ToLower(name), " ", "") + ".gov.uk"}
	if err := st.CreateAuthority(context.Background(), &a); err != nil {
		t.Fatal(err)
	}
	return a
}

func TestOpenSetsPragmasAndLatestVersion(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	v, err := st.SchemaVersion(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if v != store.LatestVersion() || v < 2 {
		t.Fatalf("schema version = %d, want latest %d", v, store.LatestVersion())
	}
	var mode string
	var fk int
	if err := st.Reader().QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		t.Fatal(err)
	}
	if err := st.Reader().QueryRowContext(ctx, "PRAGMA foreign_keys").Scan(&fk); err != nil {
		t.Fatal(err)
	}
	if mode != "wal" || fk != 1 {
		t.Fatalf("journal_mode=%s foreign_keys=%d, want wal and 1", mode, fk)
	}
	// The reader pool must refuse writes.
	if _, err := st.Reader().ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ('x', '1', 'now')`); err == nil {
		t.Fatal("the reader pool accepted a write")
	}
}

func TestParseMigrationsRejectsRepeats(t *testing.T) {
	if _, err := store.ParseMigrations("-- migrate:1 a\nSELECT 1;\n-- migrate:1 b\nSELECT 2;\n"); err == nil {
		t.Fatal("a repeated section version was accepted")
	}
	if _, err := store.ParseMigrations("-- migrate:1 a\nSELECT 1;\n-- migrate:3 c\nSELECT 3;\n"); err == nil || !strings.Contains(err.Error(), "gap") {
		t.Fatalf("a gap in section numbers: err = %v", err)
	}
	ms, err := store.ParseMigrations(foitrack.Schema)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(ms); i++ {
		if ms[i].Version <= ms[i-1].Version {
			t.Fatalf("sections out of order: %d after %d", ms[i].Version, ms[i-1].Version)
		}
	}
}

// A database written by the first schema version upgrades to the latest
// without losing a row.
func TestUpgradeFromVersion1KeepsData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old, err := store.OpenAtVersion(ctx, t, dir, 1)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := old.SchemaVersion(ctx); v != 1 {
		t.Fatalf("old database at version %d, want 1", v)
	}
	a := tracker.Authority{Name: "Barsetshire County Council", Jurisdiction: tracker.JurisdictionEngland, Email: "foi@barsetshire.gov.uk"}
	if err := old.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	r := tracker.Request{Title: "ANPR cameras", AuthorityID: a.ID, Body: "Please tell me…"}
	if err := old.CreateRequest(ctx, &r, tracker.MustParseDate("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	if err := old.Close(); err != nil {
		t.Fatal(err)
	}

	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatalf("upgrade failed: %v", err)
	}
	defer st.Close()
	if v, _ := st.SchemaVersion(ctx); v != store.LatestVersion() {
		t.Fatalf("after upgrade version = %d, want %d", v, store.LatestVersion())
	}
	got, err := st.RequestByID(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Title != "ANPR cameras" || got.AuthorityName != a.Name || got.Status != tracker.StatusAwaitingResponse || got.DueDate.IsZero() {
		t.Fatalf("request after upgrade: %+v", got)
	}
	if _, brk, err := st.VerifyAuditChain(ctx); err != nil || brk != nil {
		t.Fatalf("audit chain after upgrade: %v %v", brk, err)
	}
	// And the new parts of the schema work.
	if err := st.PutSetting(ctx, "probe", map[string]int{"n": 1}); err != nil {
		t.Fatal(err)
	}
}

func TestNewerDatabaseIsRefused(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	db, err := sql.Open("sqlite", filepath.Join(dir, store.DefaultDBName))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(fmt.Sprintf("PRAGMA user_version = %d", store.LatestVersion()+1)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	if _, err := store.Open(ctx, dir); err == nil || !strings.Contains(err.Error(), "newer") {
		t.Fatalf("opening a newer database: err = %v, want a 'newer' error", err)
	}
}

func TestImportAuthoritiesAllOrNothing(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	good := "Name,Short name,URL name,Tags,Home page,Publication scheme,Disclosure log,Notes,Created at,Updated at,Version\n" +
		"Barsetshire County Council,BCC,barsetshire_cc,local_council,https://barsetshire.gov.uk,,,,2008-01-01 00:00:00 +0000,2008-01-01 00:00:00 +0000,1\n" +
		"Police Scotland,,police_scotland,police scotland,https://scotland.police.uk,,,,2013-04-01 00:00:00 +0000,2013-04-01 00:00:00 +0000,3\n"
	list, err := tracker.ParseAuthoritiesCSV(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	res, err := st.ImportAuthorities(ctx, list)
	if err != nil || res.Created != 2 {
		t.Fatalf("import: %+v %v", res, err)
	}
	all, _ := st.Authorities(ctx, store.AuthorityFilter{Query: "scotland"})
	if len(all) != 1 || all[0].Jurisdiction != tracker.JurisdictionScotland || all[0].DefaultLaw != tracker.ScotFOISA {
		t.Fatalf("Police Scotland imported as %+v", all)
	}
	// Re-import updates by URL name instead of duplicating.
	list, _ = tracker.ParseAuthoritiesCSV(strings.NewReader(strings.Replace(good, "BCC", "Barset CC", 1)))
	res, err = st.ImportAuthorities(ctx, list)
	if err != nil || res.Created != 0 || res.Updated != 1 || res.Unchanged != 1 {
		t.Fatalf("re-import: %+v %v", res, err)
	}
	if n, _ := st.CountAuthorities(ctx); n != 2 {
		t.Fatalf("%d authorities after re-import, want 2", n)
	}
	// A broken row refuses the whole file, naming the row.
	bad := good + "Unclosed \"quote,X,x,,,,,,,,1\n"
	_, err = tracker.ParseAuthoritiesCSV(strings.NewReader(bad))
	if err == nil || !strings.Contains(err.Error(), "row 4") {
		t.Fatalf("broken CSV: err = %v, want a row 4 error", err)
	}
	if tracker.ErrorCode(err) != tracker.EINVALID {
		t.Fatalf("broken CSV error code = %s", tracker.ErrorCode(err))
	}
}

func TestLifecycleThroughStore(t *testing.T) {
	st := MustOpenDB(t)
	ctx := store.WithActor(context.Background(), "alice")
	a := mustAuthority(t, st, "Barsetshire County Council", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "Stop and search data", AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &r, tracker.Date{}); err != nil {
		t.Fatal(err)
	}
	if r.Law != tracker.UKFOIA || r.ReplyToken == "" || r.OurRef == "" {
		t.Fatalf("defaults not applied: %+v", r)
	}
	// A response before the request is sent is refused with a clear message.
	err := st.AddEvent(ctx, &tracker.Event{RequestID: r.ID, Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-03-10"), Outcome: tracker.OutcomeRefused})
	if tracker.ErrorCode(err) != tracker.ECONFLICT || !strings.Contains(err.Error(), "Draft") {
		t.Fatalf("illegal transition: err = %v", err)
	}
	mustEvent := func(e tracker.Event) {
		t.Helper()
		e.RequestID = r.ID
		if err := st.AddEvent(ctx, &e); err != nil {
			t.Fatalf("%s: %v", e.Kind, err)
		}
	}
	mustEvent(tracker.Event{Kind: tracker.EventSent, Date: tracker.MustParseDate("2026-03-02")})
	got, _ := st.RequestByID(ctx, r.ID)
	if got.Status != tracker.StatusAwaitingResponse || got.DueDate.IsZero() {
		t.Fatalf("after sent: %+v", got)
	}
	mustEvent(tracker.Event{Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-03-25"),
		Outcome: tracker.OutcomeRefused, Exemptions: []string{"section 31(1)(a)"}})
	got, _ = st.RequestByID(ctx, r.ID)
	if got.Status != tracker.StatusAnswered || got.Outcome != tracker.OutcomeRefused {
		t.Fatalf("after refusal: %+v", got)
	}
	counts, err := st.ExemptionCounts(ctx, 0)
	if err != nil || len(counts) != 1 || counts[0].Code != "s31(1)(a)" || counts[0].Claims != 1 {
		t.Fatalf("exemption counts: %+v %v", counts, err)
	}
	// An unknown exemption is refused, and nothing is recorded.
	err = st.AddEvent(ctx, &tracker.Event{RequestID: r.ID, Kind: tracker.EventReviewRequested, Date: tracker.MustParseDate("2026-03-26"), Exemptions: []string{"s99"}})
	if tracker.ErrorCode(err) != tracker.EINVALID {
		t.Fatalf("unknown exemption: err = %v", err)
	}
	mustEvent(tracker.Event{Kind: tracker.EventReviewRequested, Date: tracker.MustParseDate("2026-03-26")})
	got, _ = st.RequestByID(ctx, r.ID)
	if got.Status != tracker.StatusReviewRequested || !got.DueDate.After(tracker.MustParseDate("2026-03-26")) {
		t.Fatalf("after review requested: %+v", got)
	}
	evs, _ := st.Events(ctx, r.ID)
	if len(evs) != 3 || evs[0].CreatedBy != "alice" {
		t.Fatalf("history: %+v", evs)
	}
	// Every change is in the audit chain, which verifies.
	n, brk, err := st.VerifyAuditChain(ctx)
	if err != nil || brk != nil || n < 6 {
		t.Fatalf("audit chain: n=%d break=%v err=%v", n, brk, err)
	}
}

func TestAuditChainCatchesAnEditedRow(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	for i := 0; i < 5; i++ {
		mustAuthority(t, st, fmt.Sprintf("Council %d", i), tracker.JurisdictionWales)
	}
	head, id, err := st.AuditHead(ctx)
	if err != nil || id != 5 || head == store.GenesisHash {
		t.Fatalf("head %s id %d err %v", head, id, err)
	}
	// Edit entry 3 behind the app's back.
	db, err := sql.Open("sqlite", st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE audit_log SET after = replace(after, 'Council 2', 'Council X') WHERE id = 3`); err != nil {
		t.Fatal(err)
	}
	_, brk, err := st.VerifyAuditChain(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if brk == nil || brk.EntryID != 3 {
		t.Fatalf("break = %+v, want entry 3", brk)
	}
	// Deleting an entry is caught too.
	if _, err := db.Exec(`DELETE FROM audit_log WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	_, brk, _ = st.VerifyAuditChain(ctx)
	if brk == nil || brk.EntryID != 2 {
		t.Fatalf("break after delete = %+v, want entry 2", brk)
	}
}

func TestDocumentsAreContentAddressed(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Borsetshire Police", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "Drones", AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-01-05")); err != nil {
		t.Fatal(err)
	}
	pdf := "%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
	d := tracker.Document{RequestID: r.ID, Filename: "../../etc/passwd", Disposition: tracker.DispositionReleasedRedacted, Exemptions: []string{"s40(2)"}}
	if err := st.AddDocument(ctx, &d, strings.NewReader(pdf), 0); err != nil {
		t.Fatal(err)
	}
	if d.Filename != "passwd" || d.Size != int64(len(pdf)) || len(d.SHA256) != 64 || d.SniffedType != "application/pdf" {
		t.Fatalf("document: %+v", d)
	}
	f, err := st.OpenBlob(d.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	if !strings.HasPrefix(f.Name(), st.BlobDir) || strings.Contains(f.Name(), "passwd") {
		t.Fatalf("blob stored at %s", f.Name())
	}
	// Same bytes again: one blob, two documents.
	d2 := tracker.Document{RequestID: r.ID, Filename: "copy.pdf", Disposition: tracker.DispositionReleased}
	if err := st.AddDocument(ctx, &d2, strings.NewReader(pdf), 0); err != nil {
		t.Fatal(err)
	}
	if d2.SHA256 != d.SHA256 {
		t.Fatal("same content, different hash")
	}
	// Over the limit: refused, nothing recorded.
	err = st.AddDocument(ctx, &tracker.Document{RequestID: r.ID, Filename: "big.bin", Disposition: tracker.DispositionReleased}, strings.NewReader(strings.Repeat("x", 2048)), 1024)
	if tracker.ErrorCode(err) != tracker.ETOOLARGE {
		t.Fatalf("oversize: err = %v", err)
	}
	docs, _ := st.Documents(ctx, store.DocumentFilter{RequestID: r.ID})
	if len(docs) != 2 {
		t.Fatalf("%d documents, want 2", len(docs))
	}
	// A changed file is caught by VerifyBlob.
	p := filepath.Join(st.BlobDir, d.SHA256[:2], d.SHA256)
	if err := os.WriteFile(p, []byte(strings.Replace(pdf, "1.4", "1.5", 1)), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := st.VerifyBlob(d.SHA256); err == nil {
		t.Fatal("a changed blob verified")
	}
}

// Many writers and readers at once never see SQLITE_BUSY.
func TestConcurrentUseNeverBusy(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Concurrent Council", tracker.JurisdictionEngland)
	var wg sync.WaitGroup
	errs := make(chan error, 200)
	for w := 0; w < 8; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < 10; i++ {
				r := tracker.Request{Title: fmt.Sprintf("req %d/%d", w, i), AuthorityID: a.ID}
				if err := st.CreateRequest(ctx, &r, tracker.DateOf(time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC))); err != nil {
					errs <- err
				}
				if _, err := st.Requests(ctx, store.RequestFilter{OpenOnly: true, Limit: 5}); err != nil {
					errs <- err
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n, _ := st.CountRequests(ctx, store.RequestFilter{}); n != 80 {
		t.Fatalf("%d requests, want 80", n)
	}
}

func TestNotFoundIsExplicit(t *testing.T) {
	st := MustOpenDB(t)
	_, err := st.RequestByID(context.Background(), 42)
	var e *tracker.Error
	if !errors.As(err, &e) || e.Code != tracker.ENOTFOUND {
		t.Fatalf("err = %v, want ENOTFOUND", err)
	}
}
