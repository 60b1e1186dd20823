package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/extract"
	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// expectRequestWordsInStep: request_search_index holds exactly the words
// of search_index's rows about a request (a request, its mail, documents
// and history), word for word, column and place, each under rowid =
// request id * 2^32 + its rowid in search_index (schema section 38).
func expectRequestWordsInStep(t *testing.T, st *store.Store, when string) {
	t.Helper()
	ctx := context.Background()
	conn, err := st.Writer().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, q := range []string{
		`CREATE VIRTUAL TABLE IF NOT EXISTS temp.si_words USING fts5vocab(main, search_index, instance)`,
		`CREATE VIRTUAL TABLE IF NOT EXISTS temp.rsi_words USING fts5vocab(main, request_search_index, instance)`,
	} {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	var want, got, missing, extra int
	if err := conn.QueryRowContext(ctx, `WITH
		a AS (SELECT term, doc, col, offset FROM (SELECT v.term, (SELECT f.request_id FROM search_index f WHERE f.rowid = v.doc) * 4294967296 + v.doc AS doc, v.col, v.offset
			FROM temp.si_words v WHERE v.col <> 'kind' AND v.doc % 8 IN (1, 2, 3, 6)) WHERE doc >= 4294967296),
		b AS (SELECT term, doc, col, offset FROM temp.rsi_words)
		SELECT (SELECT count(*) FROM a), (SELECT count(*) FROM b),
			(SELECT count(*) FROM (SELECT * FROM a EXCEPT SELECT * FROM b)),
			(SELECT count(*) FROM (SELECT * FROM b EXCEPT SELECT * FROM a))`).Scan(&want, &got, &missing, &extra); err != nil {
		t.Fatal(err)
	}
	if want == 0 || missing != 0 || extra != 0 || want != got {
		t.Fatalf("%s: search_index has %d words about requests, request_search_index %d: %d missing, %d not in search_index", when, want, got, missing, extra)
	}
}

// The request list's words index follows every change search_index does:
// seeded data, a reply filed, moved and taken off, a document's text
// extracted, a note deleted, an authority renamed, a request edited, a
// document deleted, a request deleted.
func TestRequestSearchIndexKeptInStep(t *testing.T) {
	ctx := context.Background()
	st := MustOpenDB(t)
	if _, err := seed.Run(ctx, st, seed.Options{Requests: 40, Messages: 120, Seed: 3, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	expectRequestWordsInStep(t, st, "seeded")

	a := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	r1 := tracker.Request{Title: "First zibbet", Body: "x", AuthorityID: a.ID, Notes: "a note"}
	r2 := tracker.Request{Title: "Second", Body: "x", AuthorityID: a.ID}
	for _, r := range []*tracker.Request{&r1, &r2} {
		if err := st.CreateRequest(ctx, r, day("2026-03-02")); err != nil {
			t.Fatal(err)
		}
	}
	m := mustIncoming(t, st, "Filed", 1, 1, "Message-ID: <z1@x>\r\n\r\nx\r\n", "z1@x")
	expectRequestWordsInStep(t, st, "mail in the holding pen")
	if err := st.Update(ctx, func(tx *store.Tx) error {
		return tx.SetMailProcessed(m, store.MailProcessing{State: store.MailMatched, RequestID: r1.ID, Subject: "zibbet reply", TextBody: "zibbet"})
	}); err != nil {
		t.Fatal(err)
	}
	d := tracker.Document{RequestID: r1.ID, MessageID: m.ID, Filename: "quarnel.txt", Disposition: tracker.DispositionReleased}
	if err := st.AddDocument(ctx, &d, strings.NewReader("the quarnel rota"), 0); err != nil {
		t.Fatal(err)
	}
	addEvents(t, st, r2.ID, tracker.Event{Kind: tracker.EventAcknowledged, Date: day("2026-03-03"), Note: "vostrel noted"})
	expectRequestWordsInStep(t, st, "filed")
	if n, err := st.ExtractPendingTexts(ctx, extract.Options{}, 10); err != nil || n == 0 {
		t.Fatalf("extract: %d %v", n, err)
	}
	expectRequestWordsInStep(t, st, "text extracted")
	if err := st.Update(ctx, func(tx *store.Tx) error {
		if _, err := tx.DetachMail(m.ID); err != nil {
			return err
		}
		if _, err := tx.MoveMailDocuments(m.ID, r2.ID); err != nil {
			return err
		}
		_, err := tx.SetMailRequest(m.ID, r2.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	expectRequestWordsInStep(t, st, "moved")
	if err := st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.DetachMail(m.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	expectRequestWordsInStep(t, st, "taken off")
	events, err := st.Events(ctx, r2.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range events {
		if e.Note == "vostrel noted" {
			if err := st.DeleteEvent(ctx, r2.ID, e.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
	expectRequestWordsInStep(t, st, "note deleted")
	a.Name = "Kent Constabulary"
	if err := st.UpdateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	expectRequestWordsInStep(t, st, "authority renamed")
	r1.Title = "First renamed"
	if err := st.UpdateRequest(ctx, &r1); err != nil {
		t.Fatal(err)
	}
	expectRequestWordsInStep(t, st, "request edited")
	if _, err := st.DeleteDocument(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	expectRequestWordsInStep(t, st, "document deleted")
	// The app deletes no request; the schema's cascades (its mail set
	// free, its history and documents deleted) keep the index in step.
	if err := st.Update(ctx, func(tx *store.Tx) error {
		_, err := tx.SetMailRequest(m.ID, r2.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Writer().ExecContext(ctx, `DELETE FROM requests WHERE id = ?`, r2.ID); err != nil {
		t.Fatal(err)
	}
	expectRequestWordsInStep(t, st, "request deleted")
}

// A database made before schema section 38 gets the index of its words by
// request, in step.
func TestRequestSearchIndexBuiltForExistingData(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old, err := store.OpenAtVersion(ctx, t, dir, 37)
	if err != nil {
		t.Fatal(err)
	}
	// The seed writes through today's code, which keeps a timeline event's
	// parsed front matter in a column of section 49: the old database gets
	// the column for the seed and loses it again before the upgrade, as a
	// database of section 37 never had it.
	if _, err := old.Writer().ExecContext(ctx, `ALTER TABLE timeline_events ADD COLUMN front_matter_nodes BLOB`); err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Run(ctx, old, seed.Options{Requests: 30, Messages: 90, Seed: 5, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Writer().ExecContext(ctx, `ALTER TABLE timeline_events DROP COLUMN front_matter_nodes`); err != nil {
		t.Fatal(err)
	}
	old.Close()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	expectRequestWordsInStep(t, st, "the upgrade")
	if _, err := st.Writer().ExecContext(ctx, `INSERT INTO request_search_index (request_search_index, rank) VALUES ('integrity-check', 1)`); err != nil {
		t.Fatalf("index after the upgrade: %v", err)
	}
}

// The members of a search (RequestSearchMembers, the "due" order's list),
// read from request_search_index, are the requests search_index's matches
// are about (its rows' items' requests, as the members were read before
// schema section 38), below the bound.
func TestRequestSearchMembersAreSearchIndexMatchesRequests(t *testing.T) {
	ctx := context.Background()
	st := MustOpenDB(t)
	if _, err := seed.Run(ctx, st, seed.Options{Requests: 80, Messages: 240, Seed: 9, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	longest := 0
	for _, q := range []string{"police", "information", "request", `"internal review"`, "inform*", "police -council", "s31", "zzqxnotaword"} {
		expr := "{title body private} : (" + q + ")"
		if q == "police -council" {
			expr = `{title body private} : (("police") NOT "council")`
		}
		rows, err := st.Reader().QueryContext(ctx, `SELECT DISTINCT rid FROM (SELECT CASE f.rowid % 8
				WHEN 1 THEN f.rowid / 8
				WHEN 2 THEN (SELECT m.request_id FROM mail_messages m WHERE m.id = f.rowid / 8)
				WHEN 3 THEN (SELECT d.request_id FROM documents d WHERE d.id = f.rowid / 8)
				WHEN 6 THEN (SELECT e.request_id FROM request_events e WHERE e.id = f.rowid / 8) END AS rid
			FROM search_index f WHERE search_index MATCH ? AND f.rowid % 8 IN (1, 2, 3, 6)) WHERE rid > 0 ORDER BY rid DESC`, expr)
		if err != nil {
			t.Fatalf("%q: %v", q, err)
		}
		want := []int64{}
		for rows.Next() {
			var id int64
			rows.Scan(&id)
			want = append(want, id)
		}
		rows.Close()
		got, err := st.RequestSearchMembers(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%q: members %v, search_index's matches are about %v", q, got, want)
		}
		longest = max(longest, len(want))
	}
	if longest < 20 {
		t.Fatalf("the longest list of members is %d: the comparison proves little", longest)
	}
}

// The request list searched by words lists, newest first, what it listed
// when it read the matches' requests from search_index (RequestSearchMembers,
// which the "due" order still reads): the same requests in the same order,
// with every other filter, counted alike, and a page at a time by cursor
// forward and back. The walk reads a few rows at a time here, so that a
// page takes several chunks and a request's rows are split between two.
func TestRequestListByWordsListsWhatTheMatchesFind(t *testing.T) {
	ctx := context.Background()
	st := seededDB(t, seed.Options{Requests: 80, Messages: 240, Seed: 7, Password: "correct horse battery"})
	store.SetRequestWordsChunk(t, 3)
	// The list searches a prefix as its words (once they are all known),
	// RequestSearchMembers with FTS5's prefix query.
	keepSearchTerms(t, st)
	var authority int64
	if err := st.Reader().QueryRowContext(ctx, `SELECT authority_id FROM requests GROUP BY 1 ORDER BY count(*) DESC LIMIT 1`).Scan(&authority); err != nil {
		t.Fatal(err)
	}
	ids := func(list []tracker.Request) []int64 {
		out := []int64{}
		for _, r := range list {
			out = append(out, r.ID)
		}
		return out
	}
	longest := 0
	for _, q := range []string{"police", "information", "request", `"internal review"`, "inform*", "polic* -counc*", "police -council",
		"police law:uk-foia", "information status:closed", "police exemption:s31", "-police", "zzqxnotaword", "authority:police"} {
		for _, base := range []store.RequestFilter{{}, {AuthorityID: authority}, {Law: tracker.UKFOIA}, {PublicOnly: true}, {Tag: "surveillance"}} {
			f := base
			f.Query = q
			// Before: the matches' requests (RequestSearchMembers), filtered,
			// newest first.
			members, err := st.RequestSearchMembers(ctx, q)
			if err != nil {
				t.Fatal(err)
			}
			old := f
			old.QueryMembers, old.OrderBy, old.Limit = members, "due", 1000
			before, err := st.Requests(ctx, old)
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			want := ids(before)
			slices.SortFunc(want, func(a, b int64) int { return int(b - a) })
			oldCount, err := st.CountRequests(ctx, old)
			if err != nil {
				t.Fatal(err)
			}

			all := f
			all.Limit = 1000
			now, err := st.Requests(ctx, all)
			if err != nil {
				t.Fatalf("%q: %v", q, err)
			}
			count, more, err := st.CountRequestsUpTo(ctx, f, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if got := ids(now); !slices.Equal(got, want) || count != oldCount || more {
				t.Fatalf("%q %+v: lists %v (count %d, more %v), listed %v (count %d)", q, base, got, count, more, want, oldCount)
			}
			if len(want) > 1 && store.ParseSearchQuery(q).HasText() {
				// Counted up to a bound below the total: the bound, and more.
				if n, more, err := st.CountRequestsUpTo(ctx, f, len(want)-1); err != nil || n != len(want)-1 || !more {
					t.Fatalf("%q %+v: counted up to %d: %d, %v, %v", q, base, len(want)-1, n, more, err)
				}
			}
			longest = max(longest, len(want))

			// A page of 7 at a time: forward to the end, then back.
			var pages [][]int64
			page := f
			page.Limit = 7
			for {
				rows, err := st.Requests(ctx, page)
				if err != nil {
					t.Fatal(err)
				}
				if len(rows) == 0 {
					break
				}
				pages = append(pages, ids(rows))
				page.Cursor = store.RequestCursor(rows[len(rows)-1], "")
			}
			if got := slices.Concat(pages...); !slices.Equal(got, want) {
				t.Fatalf("%q %+v: page by page %v, want %v", q, base, pages, want)
			}
			if len(pages) > 1 {
				last := pages[len(pages)-1]
				back := f
				back.Limit = 7
				back.Cursor = store.Cursor{ID: last[0], Back: true}
				rows, err := st.Requests(ctx, back)
				if err != nil {
					t.Fatal(err)
				}
				if got, wantBack := ids(rows), pages[len(pages)-2]; !slices.Equal(got, wantBack) {
					t.Fatalf("%q %+v: the page before %d is %v, want %v", q, base, last[0], got, wantBack)
				}
			}
		}
	}
	if longest <= 7 {
		t.Fatalf("no query found more than a page (%d): the paging proves nothing", longest)
	}
}

// The request list's count of its search box follows every commit: kept
// while nothing is committed, counted again after a request is added, a
// request's words changed, or a request added by another process (another
// store on the same database, as the CLI or a mail sync is).
func TestRequestListByWordsCountFollowsEveryCommit(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	a := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	f := store.RequestFilter{Query: "zibbet"}
	expect := func(when string, want int) {
		t.Helper()
		for range 2 { // counted, then kept
			n, more, err := st.CountRequestsUpTo(ctx, f, 1000)
			if err != nil {
				t.Fatal(err)
			}
			if n != want || more {
				t.Fatalf("%s: counted %d (more %v), want %d", when, n, more, want)
			}
		}
	}
	expect("none", 0)
	r := tracker.Request{Title: "First zibbet", Body: "x", AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	expect("one added", 1)
	r.Title = "First quarnel"
	if err := st.UpdateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	expect("its words changed", 0)

	other, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	for _, title := range []string{"Second zibbet", "Third zibbet"} {
		r := tracker.Request{Title: title, Body: "x", AuthorityID: a.ID}
		if err := other.CreateRequest(ctx, &r, day("2026-03-03")); err != nil {
			t.Fatal(err)
		}
	}
	expect("two added by another store", 2)
	// Up to a bound: a count kept for one bound is not another's.
	if n, more, err := st.CountRequestsUpTo(ctx, f, 1); err != nil || n != 1 || !more {
		t.Fatalf("counted up to 1: %d, %v, %v", n, more, err)
	}
	expect("again up to 1000", 2)
}

// The mail list's search box (SelectMail, its matches kept while nothing
// is committed) finds a message as soon as its words are written, and
// loses it as soon as they change.
func TestMailListSearchFollowsEveryCommit(t *testing.T) {
	ctx := context.Background()
	st := MustOpenDB(t)
	f := store.MailFilter{Direction: "in", Query: "zibbet"}
	expect := func(when string, want []int64) {
		t.Helper()
		for range 2 { // worked out, then kept
			got, err := st.SelectMail(ctx, f)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(got, want) {
				t.Fatalf("%s: selected %v, want %v", when, got, want)
			}
		}
	}
	expect("none", []int64{})
	m := mustIncoming(t, st, "INBOX", 1, 1, "Message-ID: <z1@x>\r\n\r\nx\r\n", "z1@x")
	process := func(subject string) {
		t.Helper()
		m, err := st.MailMessageByID(ctx, m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := st.Update(ctx, func(tx *store.Tx) error {
			return tx.SetMailProcessed(m, store.MailProcessing{State: store.MailUnmatched, Subject: subject, TextBody: "x"})
		}); err != nil {
			t.Fatal(err)
		}
	}
	process("a zibbet")
	expect("its subject written", []int64{m.ID})
	process("a quarnel")
	expect("its subject changed", []int64{})
}

// The search page's hits (Search, a page kept while nothing is
// committed) follow every commit: a request found as soon as it is
// added, its title's change seen at once.
func TestSearchPageFollowsEveryCommit(t *testing.T) {
	ctx := context.Background()
	st := MustOpenDB(t)
	a := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	expect := func(when string, want ...string) {
		t.Helper()
		for range 2 { // worked out, then kept
			res, err := st.Search(ctx, store.ParseSearchQuery("zibbet"), store.SearchOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, h := range res.Hits {
				got = append(got, h.Title)
			}
			if !slices.Equal(got, want) || res.Total != len(want) {
				t.Fatalf("%s: found %q (total %d), want %q", when, got, res.Total, want)
			}
		}
	}
	expect("none")
	r := tracker.Request{Title: "First zibbet", Body: "x", AuthorityID: a.ID}
	if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
		t.Fatal(err)
	}
	expect("one added", "First zibbet")
	r.Title = "First zibbet renamed"
	if err := st.UpdateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	expect("renamed", "First zibbet renamed")
}
