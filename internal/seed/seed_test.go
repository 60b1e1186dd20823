package seed

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/foitrack/foitrack/internal/foldercopy"
	"github.com/foitrack/foitrack/internal/plantest"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

func seeded(t *testing.T, o Options) (*store.Store, Summary, string) {
	t.Helper()
	return seededWith(t, o, nil)
}

// seededWith is seeded with the audit entries' secrets drawn from secrets
// (nil: at random, as in use).
func seededWith(t *testing.T, o Options, secrets io.Reader) (*store.Store, Summary, string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	st.AuditSecrets = secrets
	if o.Password == "" {
		o.Password = "seed-password"
	}
	sum, err := Run(ctx, st, o)
	if err != nil {
		t.Fatalf("seed: %v", err)
	}
	h, err := ContentHash(ctx, st.Reader())
	if err != nil {
		t.Fatal(err)
	}
	return st, sum, h
}

func init() { store.PasswordCost = bcrypt.MinCost }

// seededFolders are data folders seeded once per test process, by their
// options, for the tests that only read a seeded database (seededCopy).
var seededFolders sync.Map // "requests/messages/seed" → *seededFolder

type seededFolder struct {
	once   sync.Once
	folder *foldercopy.Folder
	err    error
}

// seededCopy opens, for the test, a copy of a data folder seeded with o:
// tests that read the same seeded database seed it once between them
// (seeding is most of what each cost under -race).
func seededCopy(t *testing.T, o Options) *store.Store {
	t.Helper()
	v, _ := seededFolders.LoadOrStore(fmt.Sprintf("%d/%d/%d", o.Requests, o.Messages, o.Seed), &seededFolder{})
	f := v.(*seededFolder)
	f.once.Do(func() {
		dir, err := os.MkdirTemp("", "foitrack-seeded-")
		if err != nil {
			f.err = err
			return
		}
		defer os.RemoveAll(dir)
		st, err := store.Open(context.Background(), dir)
		if err != nil {
			f.err = err
			return
		}
		o.Password = "seed-password"
		if _, f.err = Run(context.Background(), st, o); f.err != nil {
			st.Close()
			return
		}
		if f.err = st.Close(); f.err == nil {
			f.folder, f.err = foldercopy.Read(dir)
		}
	})
	if f.err != nil {
		t.Fatalf("seed: %v", f.err)
	}
	dir := filepath.Join(t.TempDir(), "data")
	if err := f.folder.WriteTo(dir); err != nil {
		t.Fatal(err)
	}
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// The same seed builds the same database; another seed another one.
func TestSeedDeterministic(t *testing.T) {
	_, s1, h1 := seeded(t, Options{Requests: 40, Messages: 150, Seed: 7})
	_, s2, h2 := seeded(t, Options{Requests: 40, Messages: 150, Seed: 7})
	if h1 != h2 {
		t.Errorf("same seed, different content: %s vs %s (summaries %+v / %+v)", h1, h2, s1, s2)
	}
	_, _, h3 := seeded(t, Options{Requests: 40, Messages: 150, Seed: 8})
	if h3 == h1 {
		t.Errorf("seeds 7 and 8 gave the same content %s", h1)
	}
}

// A seeded database is what the app would have written: the audit chain
// holds, every audited row matches its entries, every stored file is intact,
// and every lifecycle state is there.
func TestSeedAuditsCleanAndCoversEveryState(t *testing.T) {
	ctx := context.Background()
	st, sum, _ := seeded(t, Options{Requests: 60, Messages: 300, Seed: 1})
	if sum.Requests != 60 {
		t.Errorf("requests = %d, want 60", sum.Requests)
	}
	n, brk, err := st.VerifyAuditChain(ctx)
	if err != nil || brk != nil {
		t.Fatalf("audit chain: %v %v", brk, err)
	}
	if n == 0 {
		t.Fatal("no audit entries")
	}
	rows, problems, err := st.VerifyRows(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Errorf("row check: %s", p)
	}
	if rows == 0 {
		t.Error("no rows checked")
	}
	fc, err := st.VerifyStoredFiles(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range fc.Problems {
		t.Errorf("stored files: %s", p)
	}

	got := map[tracker.Status]int{}
	r, err := st.Reader().QueryContext(ctx, `SELECT status, count(*) FROM requests GROUP BY status`)
	if err != nil {
		t.Fatal(err)
	}
	for r.Next() {
		var s string
		var c int
		if err := r.Scan(&s, &c); err != nil {
			t.Fatal(err)
		}
		got[tracker.Status(s)] = c
	}
	r.Close()
	for _, s := range tracker.Statuses {
		if got[s.Status] == 0 {
			t.Errorf("no request is %s", s.Status)
		}
	}
	for s, c := range sum.ByStatus {
		if got[tracker.Status(s)] != c {
			t.Errorf("summary says %d %s, database has %d", c, s, got[tracker.Status(s)])
		}
	}

	// The rest of a realistic database is there too.
	for _, q := range []struct{ what, sql string }{
		{"matched replies", `SELECT count(*) FROM mail_messages WHERE state = 'matched'`},
		{"holding pen", `SELECT count(*) FROM mail_messages WHERE state = 'unmatched'`},
		{"set aside as not FOI", `SELECT count(*) FROM mail_messages WHERE state = 'not_foi'`},
		{"attachments as documents", `SELECT count(*) FROM documents WHERE message_id IS NOT NULL AND sha256 IS NOT NULL`},
		{"exemption claims on responses", `SELECT count(*) FROM exemption_claims WHERE event_id IS NOT NULL`},
		{"timeline events", `SELECT count(*) FROM timeline_events`},
		{"timeline links", `SELECT count(*) FROM event_links`},
		{"events carried by mail", `SELECT count(*) FROM request_events WHERE message_id IS NOT NULL`},
		{"public requests", `SELECT count(*) FROM public_pages`},
		{"UK and US authorities", `SELECT count(DISTINCT jurisdiction) >= 3 FROM authorities WHERE jurisdiction LIKE 'uk%' OR jurisdiction = 'us-federal'`},
	} {
		var c int
		if err := st.Reader().QueryRowContext(ctx, q.sql).Scan(&c); err != nil {
			t.Fatalf("%s: %v", q.what, err)
		}
		if c == 0 {
			t.Errorf("no %s", q.what)
		}
	}
}

// Seeding never mixes made-up rows into a database in use.
func TestSeedRefusesADatabaseWithRequests(t *testing.T) {
	st, _, _ := seeded(t, Options{Requests: 12, Messages: 20, Seed: 1})
	_, err := Run(context.Background(), st, Options{Requests: 5, Seed: 1, Password: "seed-password"})
	if tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Errorf("seeding a database with requests: %v, want a conflict", err)
	}
}

// Writing in batches (store.UpdateBatch: each request's derived fields
// worked out once per transaction) and in a bulk load stores exactly what
// writing every change on its own does: with the audit entries' secrets
// drawn from the same seeded source, every table's rows (audit entries,
// their secrets and the transparency log's tree included), the schema, the
// full-text index's terms and positions, and the blob files are the same;
// the transparency log verifies, and on every request a stored plan equals
// a fresh computation.
func TestSeedBatchedWritesWhatPerChangeWrites(t *testing.T) {
	ctx := context.Background()
	// Three transactions of 25 requests: batching across and within them.
	o := Options{Requests: 70, Messages: 280, Seed: 3, perTx: 25}
	st, _, batched := seededWith(t, o, rand.NewChaCha8([32]byte{3}))
	o.perChange = true
	other, _, perChange := seededWith(t, o, rand.NewChaCha8([32]byte{3}))
	if batched != perChange {
		t.Errorf("batched seeding stored other content than per-change seeding: %s vs %s", batched, perChange)
	}
	a, b := wholeContent(t, st), wholeContent(t, other)
	for i := range a {
		if a[i] != b[i] {
			t.Errorf("batched seeding stored another %s than per-change seeding", wholeParts[i])
		}
	}
	if ok := integrityCheck(t, st); ok != "ok" {
		t.Errorf("integrity check after a bulk load: %s", ok)
	}
	// The full-text index finds the same rows (ContentHash leaves out its
	// segments, laid out by how often a row was indexed again).
	for _, word := range []string{"police", "council", "refused", "exemption", "acknowledged", "s40", "fee"} {
		a, b := matches(t, st, word), matches(t, other, word)
		if len(a) == 0 || !reflect.DeepEqual(a, b) {
			t.Errorf("search %q: batched finds %d rows, per-change %d (or none)", word, len(a), len(b))
		}
	}
	// The batched path is a bulk load (search triggers dropped, the index
	// filled at the end): it leaves the same schema, a sound index, and
	// no marker.
	if a, b := plantest.Triggers(t, st), plantest.Triggers(t, other); len(a) == 0 || !reflect.DeepEqual(a, b) {
		t.Errorf("triggers after a bulk load differ from the app's:\n%q\n%q", a, b)
	}
	if err := st.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO search_index (search_index, rank) VALUES ('integrity-check', 1)`); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO public_search (public_search, rank) VALUES ('integrity-check', 1)`); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO request_search_index (request_search_index, rank) VALUES ('integrity-check', 1)`)
		return err
	}); err != nil {
		t.Errorf("full-text index after a bulk load: %v", err)
	}
	if _, err := os.Stat(st.Path() + store.BulkMarkerSuffix); !os.IsNotExist(err) {
		t.Errorf("the bulk load's marker is left: %v", err)
	}
	if _, problems, err := st.VerifyAuditTree(ctx); err != nil || len(problems) > 0 {
		t.Fatalf("audit tree: %v %v", problems, err)
	}
	if _, brk, err := st.VerifyAuditChain(ctx); err != nil || brk != nil {
		t.Fatalf("audit chain: %v %v", brk, err)
	}
	rows, err := st.Reader().QueryContext(ctx, `SELECT id FROM requests ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		got, err := st.StoredPlan(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if want := plantest.FreshPlan(t, st, id); !reflect.DeepEqual(got, want) {
			t.Fatalf("request %d: the stored plan differs from a fresh one:\nstored %+v\nfresh  %+v", id, got, want)
		}
		if got, want := plantest.StoredStanding(t, st, id), plantest.FreshStanding(t, st, id); got != want {
			t.Fatalf("request %d: the stored standing basis differs from a fresh one:\nstored %+v\nfresh  %+v", id, got, want)
		}
	}
}

func matches(t *testing.T, st *store.Store, word string) []int64 {
	t.Helper()
	rows, err := st.Reader().Query(`SELECT rowid FROM search_index WHERE search_index MATCH ? ORDER BY rowid`, word)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		rows.Scan(&id)
		out = append(out, id)
	}
	return out
}

// The dashboard's counts (Needs you, late requests, due in the next 7
// days), read from the counts kept by date, equal the rows they stand for
// on any day.
func TestDashboardCountsEqualTheRows(t *testing.T) {
	ctx := context.Background()
	st := seededCopy(t, Options{Requests: 120, Messages: 360, Seed: 5})
	for _, day := range []string{"2024-01-15", "2025-06-30", "2026-10-01", "2026-11-30", "2026-12-20", "2027-03-01"} {
		today := tracker.MustParseDate(day)
		items, total, err := st.NeedsYou(ctx, today, 100000, store.Cursor{})
		if err != nil {
			t.Fatal(err)
		}
		var want int
		if err := st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM requests
			WHERE needs_from IS NOT NULL AND needs_from <= ? AND (needs_until IS NULL OR needs_until >= ?)`, today, today).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if total != want || len(items) != want {
			t.Errorf("%s: Needs you counts %d and lists %d, want %d", day, total, len(items), want)
		}
		late, err := st.CountLate(ctx, today)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM requests
			WHERE next_by < ? AND then_action IN ('chase_response', 'chase_review')`, today).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if late != want {
			t.Errorf("%s: %d late, want %d", day, late, want)
		}
		_, awaited, err := st.AwaitedBetween(ctx, today, today.AddDays(7), 1)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Reader().QueryRowContext(ctx, `SELECT count(*) FROM requests
			WHERE next_by >= ? AND next_by <= ? AND next_who IN ('authority', 'regulator')`, today, today.AddDays(7)).Scan(&want); err != nil {
			t.Fatal(err)
		}
		if awaited != want {
			t.Errorf("%s: %d awaited in the next 7 days, want %d", day, awaited, want)
		}
	}
}

// The mail counts by direction and state (kept by triggers) equal the
// messages listed, for every state and for the holding pen's views, and
// follow a message set aside and one deleted.
func TestMailCountsEqualTheRows(t *testing.T) {
	ctx := context.Background()
	st, _, _ := seeded(t, Options{Requests: 60, Messages: 400, Seed: 6})
	check := func(when string) {
		t.Helper()
		filters := []store.MailFilter{{Direction: "in"}, {Direction: "out"},
			{Direction: "in", States: []string{store.MailFailed, store.MailOverLimit}}}
		for _, s := range []string{store.MailNew, store.MailMatched, store.MailUnmatched, store.MailFailed, store.MailOverLimit, store.MailNotFOI} {
			filters = append(filters, store.MailFilter{Direction: "in", State: s})
		}
		for _, f := range filters {
			n, err := st.CountMail(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			l, err := st.MailMessages(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if n != len(l) {
				t.Errorf("%s: CountMail(%+v) = %d, %d listed", when, f, n, len(l))
			}
		}
	}
	check("seeded")
	pen, err := st.MailMessages(ctx, store.MailFilter{Direction: "in", State: store.MailUnmatched, Limit: 2})
	if err != nil || len(pen) < 2 {
		t.Fatalf("holding pen: %v %v", len(pen), err)
	}
	if err := st.MarkMailNotFOI(ctx, pen[0].ID); err != nil {
		t.Fatal(err)
	}
	check("after one is set aside")
	err = st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.ExecContext(ctx, `DELETE FROM mail_messages WHERE id = ?`, pen[1].ID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	check("after one is deleted")
}

// wholeParts names what wholeContent hashes, part by part.
var wholeParts = []string{"rows (audit secrets and tree included)", "schema", "full-text indexes", "blob files"}

// wholeContent hashes everything a database holds, part by part (see
// wholeParts): every table's rows but for password hashes and public page
// slugs (drawn at random by design) and the full-text index's segments,
// which are hashed instead by what they hold (every term's every
// position, read through fts5vocab), the schema's objects and their SQL,
// and every file of the blob directory.
func wholeContent(t *testing.T, st *store.Store) []string {
	t.Helper()
	ctx := context.Background()
	db, err := sql.Open("sqlite", "file:"+st.Path()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1) // the temp vocabulary table is the connection's
	var out []string
	sum := func(f func(h io.Writer)) {
		h := sha256.New()
		f(h)
		out = append(out, hex.EncodeToString(h.Sum(nil)))
	}
	sum(func(h io.Writer) {
		rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'
			AND name NOT IN ('search_index_data', 'search_index_idx', 'public_search_data', 'public_search_idx',
				'request_search_index_data', 'request_search_index_idx', 'request_search_index_docsize')
			AND name <> 'search_terms_fill' AND name NOT LIKE 'search_terms_new%' ORDER BY name`)
		if err != nil {
			t.Fatal(err)
		}
		var tables []string
		for rows.Next() {
			var n string
			rows.Scan(&n)
			tables = append(tables, n)
		}
		rows.Close()
		if len(tables) < 20 || !containsAll(tables, "audit_log", "audit_tree", "mail_messages", "requests", "search_index_content") {
			t.Fatalf("tables: %v", tables)
		}
		for _, tb := range tables {
			if err := hashTable(ctx, db, tb, h, func(table, col string) bool {
				return col == "password_hash" || (table == "public_pages" && col == "slug") || (table == "export_version" && col == "n")
			}); err != nil {
				t.Fatal(err)
			}
		}
	})
	sum(func(h io.Writer) {
		// Not rootpage: where an object's pages are is layout.
		dump(t, db, h, `SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name`)
	})
	sum(func(h io.Writer) {
		for _, index := range []string{"search_index", "public_search", "request_search_index"} {
			if _, err := db.ExecContext(ctx, `CREATE VIRTUAL TABLE temp.`+index+`_terms USING fts5vocab(main, `+index+`, instance)`); err != nil {
				t.Fatal(err)
			}
			if n := dump(t, db, h, `SELECT term, doc, col, offset FROM temp.`+index+`_terms ORDER BY term, doc, col, offset`); n == 0 {
				t.Fatalf("the full-text index %s holds nothing", index)
			}
		}
	})
	sum(func(h io.Writer) {
		n := 0
		err := filepath.WalkDir(st.BlobDir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			b, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(st.BlobDir, path)
			fmt.Fprintf(h, "%s %x\n", rel, sha256.Sum256(b))
			n++
			return nil
		})
		if err != nil || n == 0 {
			t.Fatalf("blob files: %d, %v", n, err)
		}
	})
	return out
}

func containsAll(l []string, want ...string) bool {
	for _, w := range want {
		if !slices.Contains(l, w) {
			return false
		}
	}
	return true
}

// dump writes every row of query to h and returns how many there were.
func dump(t *testing.T, db *sql.DB, h io.Writer, query string) int {
	t.Helper()
	rows, err := db.Query(query)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	n := 0
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		var b strings.Builder
		for _, v := range vals {
			if x, ok := v.([]byte); ok {
				v = string(x)
			}
			fmt.Fprintf(&b, "%q\x1f", fmt.Sprint(v))
		}
		fmt.Fprintln(h, b.String())
		n++
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return n
}

func integrityCheck(t *testing.T, st *store.Store) string {
	t.Helper()
	var res string
	if err := st.Reader().QueryRow(`PRAGMA integrity_check`).Scan(&res); err != nil {
		t.Fatal(err)
	}
	return res
}

// The insight counts kept by triggers (per authority and law, per number of
// days, per exemption and refused section) equal a count over the rows of a
// seeded database, which writes requests in every state, batched.
func TestInsightCountsEqualTheRows(t *testing.T) {
	ctx := context.Background()
	st := seededCopy(t, Options{Requests: 120, Messages: 360, Seed: 5})
	for name, pair := range map[string][2]string{
		"insight_counts": {`SELECT authority_id, law, requests, sent, answered, on_time, late, released_in_full, released_in_part, refused,
				not_held, ncnd, awaiting, reviews, reviews_overturned, regulator, regulator_overturned FROM insight_counts WHERE requests <> 0`,
			`SELECT authority_id, law, count(*), count(sent_on), count(responded_on), total(responded_on <= response_due_on),
				total(responded_on > response_due_on), total(first_outcome = 'released_in_full'), total(first_outcome = 'released_in_part'),
				total(first_outcome = 'refused'), total(first_outcome = 'not_held'), total(first_outcome = 'neither_confirm_nor_deny'),
				total(sent_on IS NOT NULL AND responded_on IS NULL AND status NOT IN ('withdrawn', 'closed')), total(review_outcome <> ''),
				total(review_outcome IN ('overturned', 'partly_upheld', 'complaint_upheld')), total(regulator_outcome <> ''),
				total(regulator_outcome IN ('overturned', 'partly_upheld', 'complaint_upheld'))
			FROM requests GROUP BY authority_id, law`},
		"insight_days": {`SELECT kind, authority_id, law, days, requests FROM insight_days WHERE requests <> 0`,
			`SELECT 'response', authority_id, law, response_days, count(*) FROM requests WHERE response_days >= 0 GROUP BY 2, 3, 4
			UNION ALL SELECT 'review', authority_id, law, review_days, count(*) FROM requests WHERE review_days >= 0 GROUP BY 2, 3, 4`},
		"insight_exemptions": {`SELECT authority_id, law, claim_law, code, requests FROM insight_exemptions WHERE requests <> 0`,
			`SELECT r.authority_id, r.law, c.law, c.code, count(DISTINCT c.request_id) FROM exemption_claims c
			JOIN requests r ON r.id = c.request_id GROUP BY 1, 2, 3, 4`},
		"insight_refused": {`SELECT authority_id, law, section, requests FROM insight_refused WHERE requests <> 0`,
			`SELECT r.authority_id, r.law, CASE WHEN instr(c.code, '(') > 1 THEN substr(c.code, 1, instr(c.code, '(') - 1) ELSE c.code END,
				count(DISTINCT r.id) FROM requests r JOIN exemption_claims c ON c.request_id = r.id WHERE r.first_outcome = 'refused' GROUP BY 1, 2, 3`},
	} {
		var kept, counted, differ int
		keptQ, countedQ := `SELECT * FROM (`+pair[0]+`)`, `SELECT * FROM (`+pair[1]+`)`
		q := `SELECT (SELECT count(*) FROM (` + keptQ + `)), (SELECT count(*) FROM (` + countedQ + `)),
			(SELECT count(*) FROM (` + keptQ + ` EXCEPT ` + countedQ + `)) + (SELECT count(*) FROM (` + countedQ + ` EXCEPT ` + keptQ + `))`
		if err := st.Reader().QueryRowContext(ctx, q).Scan(&kept, &counted, &differ); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if kept == 0 || kept != counted || differ != 0 {
			t.Errorf("%s: %d rows kept, %d counted, %d differ", name, kept, counted, differ)
			for i, q := range []string{keptQ + ` EXCEPT ` + countedQ, countedQ + ` EXCEPT ` + keptQ} {
				rows, err := st.Reader().QueryContext(ctx, q)
				if err != nil {
					t.Fatal(err)
				}
				cols, _ := rows.Columns()
				for rows.Next() {
					v := make([]any, len(cols))
					p := make([]any, len(cols))
					for j := range v {
						p[j] = &v[j]
					}
					rows.Scan(p...)
					t.Logf("only in %s: %v", []string{"kept", "counted"}[i], v)
				}
				rows.Close()
			}
		}
	}
}

// seedGoroutines lists the goroutines of this package's generator still
// running: none once Run has returned. A goroutine that has told Run it is
// done (writeBlobs closes blobsDone in a deferred call) may still be on
// its way out of its last line when Run returns: one that is leaving is
// waited for, up to a generous bound; one that keeps running is listed.
func seedGoroutines() []string {
	var out []string
	for deadline := time.Now().Add(30 * time.Second); ; {
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		out = out[:0]
		for _, g := range strings.Split(string(buf), "\n\n") {
			if strings.Contains(g, "internal/seed.(*gen)") {
				out = append(out, g)
			}
		}
		if len(out) == 0 || time.Now().After(deadline) {
			return out
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A write that fails stops the seeding soon after: Run returns the error,
// and the goroutines that make the content and write the files have stopped
// when it does. In a bulk load too, where the files are waited for only
// once, at the end: a failing file write stops the rows being written.
func TestSeedStopsAtAFailingWrite(t *testing.T) {
	for _, perChange := range []bool{false, true} {
		ctx := context.Background()
		st, err := store.Open(ctx, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		// Every blob subdirectory's name taken by a file: no file can be
		// stored.
		for i := 0; i < 256; i++ {
			if err := os.WriteFile(filepath.Join(st.BlobDir, fmt.Sprintf("%02x", i)), nil, 0o600); err != nil {
				t.Fatal(err)
			}
		}
		var progress []int
		s, err := Run(ctx, st, Options{Requests: 200, Seed: 3, Password: "seed-password", perTx: 10, perChange: perChange,
			Progress: func(done, total int) { progress = append(progress, done) }})
		if err == nil {
			t.Fatalf("perChange=%v: seeding without a place for its files succeeded", perChange)
		}
		if !strings.Contains(err.Error(), "blob directory") {
			t.Errorf("perChange=%v: error %v, want the blob directory's", perChange, err)
		}
		if len(progress) > 5 || s.Requests >= 200 {
			t.Errorf("perChange=%v: progress %v, %d requests counted: the seed went on after its files failed", perChange, progress, s.Requests)
		}
		if left := seedGoroutines(); len(left) > 0 {
			t.Errorf("perChange=%v: Run returned with its goroutines running:\n%s", perChange, strings.Join(left, "\n\n"))
		}
	}
}

// A cancelled seed stops after the transaction it was writing, with its
// goroutines.
func TestSeedCancelledStops(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	st, err := store.Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	s, err := Run(ctx, st, Options{Requests: 200, Seed: 3, Password: "seed-password", perTx: 10,
		Progress: func(done, total int) {
			if done == 20 {
				cancel()
			}
		}})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Run = %v, want it cancelled", err)
	}
	if s.Requests != 20 {
		t.Errorf("%d requests written, want the 20 of the transactions before the cancel", s.Requests)
	}
	if left := seedGoroutines(); len(left) > 0 {
		t.Errorf("Run returned with its goroutines running:\n%s", strings.Join(left, "\n\n"))
	}
}

// RequestsWithStates lists what Requests lists, with the states ListStates
// reads of the same requests, for the lists' filters and orders (newest
// first, by due date from either part, searched by words, by tag, one
// authority's), a page at a time.
func TestRequestsWithStatesAreListStates(t *testing.T) {
	ctx := context.Background()
	st := seededCopy(t, Options{Requests: 120, Messages: 360, Seed: 5})
	all, err := st.Requests(ctx, store.RequestFilter{})
	if err != nil || len(all) < 100 {
		t.Fatalf("%d requests, %v", len(all), err)
	}
	word := strings.Fields(all[0].Title)[0]
	var tag string
	for _, r := range all {
		if len(r.Tags) > 0 {
			tag = r.Tags[0]
			break
		}
	}
	today := tracker.MustParseDate("2026-11-30")
	for name, f := range map[string]store.RequestFilter{
		"all":           {Limit: 51},
		"after a page":  {Limit: 51, Cursor: store.Cursor{ID: all[40].ID}},
		"open by due":   {OpenOnly: true, OrderBy: "due", Limit: 200},
		"overdue":       {DueBefore: today, OrderBy: "due", Limit: 30},
		"one status":    {Status: all[3].Status, OrderBy: "due", Limit: 51},
		"words":         {Query: word, Limit: 51},
		"tag":           {Tag: tag, Limit: 51},
		"one authority": {AuthorityID: all[0].AuthorityID, Limit: 51},
	} {
		want, err := st.Requests(ctx, f)
		if err != nil {
			t.Fatal(err)
		}
		got, states, err := st.RequestsWithStates(ctx, f, today)
		if err != nil {
			t.Fatal(err)
		}
		if len(want) == 0 || !reflect.DeepEqual(got, want) {
			t.Errorf("%s: RequestsWithStates listed %d requests, Requests %d (or others)", name, len(got), len(want))
			continue
		}
		ids := make([]int64, len(want))
		for i, r := range want {
			ids[i] = r.ID
		}
		wantStates, err := st.ListStates(ctx, ids, today)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(states, wantStates) {
			t.Errorf("%s: the states read with the list differ from ListStates':\n%+v\n%+v", name, states, wantStates)
		}
	}
}

// One authority's requests (under every law, and under one), counted from
// the counts the insight's triggers keep, equal a count of the rows, for
// every authority of a seeded database.
func TestAuthorityRequestCountsEqualTheRows(t *testing.T) {
	ctx := context.Background()
	st := seededCopy(t, Options{Requests: 120, Messages: 360, Seed: 5})
	rows, err := st.Reader().QueryContext(ctx, `SELECT a.id, l.law, (SELECT count(*) FROM requests r WHERE r.authority_id = a.id),
		(SELECT count(*) FROM requests r WHERE r.authority_id = a.id AND r.law = l.law)
		FROM authorities a CROSS JOIN (SELECT DISTINCT law FROM requests) l`)
	if err != nil {
		t.Fatal(err)
	}
	type want struct {
		id            int64
		law           string
		all, underLaw int
	}
	var wants []want
	for rows.Next() {
		var w want
		if err := rows.Scan(&w.id, &w.law, &w.all, &w.underLaw); err != nil {
			t.Fatal(err)
		}
		wants = append(wants, w)
	}
	rows.Close()
	some := 0
	for _, w := range wants {
		n, err := st.CountRequests(ctx, store.RequestFilter{AuthorityID: w.id})
		if err != nil {
			t.Fatal(err)
		}
		m, err := st.CountRequests(ctx, store.RequestFilter{AuthorityID: w.id, Law: tracker.LawCode(w.law)})
		if err != nil {
			t.Fatal(err)
		}
		if n != w.all || m != w.underLaw {
			t.Errorf("authority %d: %d requests, %d under %s; want %d, %d", w.id, n, m, w.law, w.all, w.underLaw)
		}
		some += w.underLaw
	}
	if some == 0 {
		t.Fatal("no authority has requests")
	}
}
