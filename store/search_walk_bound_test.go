package store_test

import (
	"context"
	"slices"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// walkAll follows a search's walk from its newest match, one bounded step
// (Stopped, Next) at a time, and returns each step's result.
func walkAll(t *testing.T, st *store.Store, query string, opt store.SearchOptions) []store.SearchResult {
	t.Helper()
	var steps []store.SearchResult
	opt.Limit = 200
	for {
		res, err := st.Search(context.Background(), store.ParseSearchQuery(query), opt)
		if err != nil {
			t.Fatalf("search %q before %d: %v", query, opt.Before, err)
		}
		steps = append(steps, res)
		if !res.Stopped {
			return steps
		}
		if res.Next <= 0 || (opt.Before > 0 && res.Next >= opt.Before) {
			t.Fatalf("search %q before %d: stopped with next %d", query, opt.Before, res.Next)
		}
		if len(steps) > 100 {
			t.Fatalf("search %q: more than 100 steps", query)
		}
		opt.Before = res.Next
	}
}

// hitKeys are "kind:id" of each hit of the steps, in order.
func hitKeys(steps []store.SearchResult) []string {
	var out []string
	for _, res := range steps {
		for _, h := range res.Hits {
			out = append(out, h.Kind+":"+idStr(h.ID))
		}
	}
	return out
}

// A search with a filter looks through a budget of its words' newest
// matches: when none of them passes the filter (a common word, and an
// authority that few of its matches are about), it stops there and says
// so, and where to go on from; followed, the steps find every matching
// hit, each once — what the walk over every match finds.
func TestSearchWithAFilterLooksThroughABudgetOfMatches(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	police := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	council := mustAuthority(t, st, "Barset Council", tracker.JurisdictionEngland)
	var councils []int64
	add := func(a tracker.Authority, n int) {
		for range n {
			r := tracker.Request{Title: "Police cameras", Body: "the police cameras", AuthorityID: a.ID}
			if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
				t.Fatal(err)
			}
			if a.ID == council.ID {
				councils = append(councils, r.ID)
			}
		}
	}
	// Oldest first: two of the council's, twelve of the police's, one of
	// the council's, twelve more of the police's.
	add(council, 2)
	add(police, 12)
	add(council, 1)
	add(police, 12)
	var want []string
	for _, id := range slices.Backward(councils) {
		want = append(want, "request:"+idStr(id))
	}
	for _, c := range []struct {
		name    string
		query   string
		ranked  bool
		kinds   []string
		request bool
	}{
		{"ranked", "police authority:council", true, nil, false},
		{"newest first", "police authority:council", false, nil, false},
		{"by kind, in windows", "police authority:council", false, []string{store.KindRequest}, false},
		{"kind in the query", "kind:request police authority:council", false, nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			if !c.ranked {
				store.SetSearchRankableRows(t, 1)
			}
			opt := store.SearchOptions{Kinds: c.kinds}
			// Within the budget: the walk is not bounded, the result
			// is today's.
			store.SetSearchWalkBudget(t, 1000)
			all := walkAll(t, st, c.query, opt)
			if len(all) != 1 || all[0].Ranked != c.ranked || all[0].Total != 3 {
				t.Fatalf("within the budget: %d steps, ranked %v, total %d; want 1, %v, 3", len(all), all[0].Ranked, all[0].Total, c.ranked)
			}
			if got := hitKeys(all); !sameSet(got, want) {
				t.Fatalf("within the budget found %v, want %v", got, want)
			}
			store.SetSearchWalkBudget(t, 5)
			steps := walkAll(t, st, c.query, opt)
			first := steps[0]
			if !first.Stopped || first.Looked != 5 || first.Total != 0 || len(first.Hits) != 0 || first.More || first.BackTo == "" {
				t.Fatalf("first step: stopped %v, looked %d, total %d, %d hits, more %v, back to %q; want true, 5, 0, 0, false, a date",
					first.Stopped, first.Looked, first.Total, len(first.Hits), first.More, first.BackTo)
			}
			if len(steps) < 3 {
				t.Fatalf("%d steps for 27 matches 5 at a time", len(steps))
			}
			if got := hitKeys(steps); !sameSet(got, want) || len(got) != len(want) {
				t.Fatalf("the steps found %v, want each of %v once", got, want)
			}
			for i, s := range steps {
				if s.Total != len(s.Hits) {
					t.Fatalf("step %d counts %d, shows %d", i, s.Total, len(s.Hits))
				}
			}
		})
	}
	// A filter on one request is bounded too.
	store.SetSearchWalkBudget(t, 5)
	steps := walkAll(t, st, "police", store.SearchOptions{RequestID: councils[0]})
	if got := hitKeys(steps); strings.Join(got, " ") != "request:"+idStr(councils[0]) || !steps[0].Stopped {
		t.Fatalf("search of one request found %v in %d steps (first stopped %v)", got, len(steps), steps[0].Stopped)
	}
	// Without a filter nothing is bounded: the newest matches are hits
	// (the 27 requests and Kent Police).
	res, err := st.Search(ctx, store.ParseSearchQuery("police"), store.SearchOptions{})
	if err != nil || res.Stopped || res.Total != 28 {
		t.Fatalf("search without a filter: stopped %v, total %d, %v; want false, 28", res.Stopped, res.Total, err)
	}
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

// A public search's walk is bounded by the newest rows of the public
// index, whatever their words: where it stops, and what it says, are the
// same for a word a censor rule hides in some rows as for a word no row
// holds, so they tell nothing of the hidden hits; the steps find every
// other hit, each once, and never a hidden one.
func TestPublicSearchBoundTellsNothingOfHiddenHits(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	police := mustAuthority(t, st, "Kent Police", tracker.JurisdictionEngland)
	council := mustAuthority(t, st, "Barset Council", tracker.JurisdictionEngland)
	var want []string
	add := func(a tracker.Authority, body string, public bool) {
		r := tracker.Request{Title: "Burrows", Body: body, AuthorityID: a.ID}
		if public {
			r.Visibility = tracker.VisibilityPublic
		}
		if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
			t.Fatal(err)
		}
		if a.ID == council.ID && public && !strings.Contains(body, "@") {
			want = append([]string{"request:" + idStr(r.ID)}, want...)
		}
	}
	add(council, "the wombat census", true)
	add(council, "write to wombat@burrow.example", true) // found only through a hidden address
	for range 6 {
		add(police, "wombat crossings", true)
		add(council, "wombat habitats, private", false)
	}
	add(council, "wombat burrows", true)
	add(council, "write to wombat@burrow.example", true)
	add(council, "wombat crossings", true)
	add(council, "write to wombat@burrow.example", true)
	for range 6 {
		add(police, "wombat crossings", true)
	}
	if err := st.AddCensorRule(ctx, &tracker.CensorRule{Scope: tracker.CensorGlobal, Pattern: `\S+@\S+`, Regexp: true}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name               string
		budget, candidates int
		minSteps           int
	}{
		{"three rows a step", 3, 200, 3},
		// Two hits at most: the newest three matches the walk reads
		// hold one the public may find; it reads on to the floor, past
		// the hidden ones, not leaving out the one below them.
		{"hidden hits fill the bound", 16, 2, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			store.SetSearchWalkBudget(t, c.budget)
			store.SetSearchCandidates(t, c.candidates)
			opt := store.SearchOptions{Scope: store.SearchPublic}
			steps := walkAll(t, st, "wombat authority:council", opt)
			if got := hitKeys(steps); !sameSet(got, want) || len(got) != len(want) {
				t.Fatalf("the public steps found %v, want each of %v once", got, want)
			}
			none := walkAll(t, st, "quagga authority:council", opt)
			if len(none) != len(steps) {
				t.Fatalf("a word no row holds took %d steps, a word hidden in some %d", len(none), len(steps))
			}
			for i := range steps {
				a, b := steps[i], none[i]
				if a.Stopped != b.Stopped || a.Looked != b.Looked || a.BackTo != b.BackTo || a.Next != b.Next {
					t.Fatalf("step %d: stopped %v, looked %d, back to %q, next %d for the hidden word; %v, %d, %q, %d for none",
						i, a.Stopped, a.Looked, a.BackTo, a.Next, b.Stopped, b.Looked, b.BackTo, b.Next)
				}
				if a.Total != len(a.Hits) || a.More {
					t.Fatalf("step %d counts %d (more %v), shows %d", i, a.Total, a.More, len(a.Hits))
				}
			}
			if len(steps) < c.minSteps || !steps[0].Stopped || steps[0].Looked != c.budget {
				t.Fatalf("%d public steps, the first stopped %v after %d rows", len(steps), steps[0].Stopped, steps[0].Looked)
			}
		})
	}
}

// A search by filters alone with an authority: filter, read from the
// authorities' requests in their index, finds what the walk of every
// request finds: the same hits in the same order, the same count, signed
// in and in public, with other filters, a few at a time.
func TestSearchByAuthorityReadsItsRequestsAsTheWalkDoes(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	var authorities []tracker.Authority
	for _, name := range []string{"Barset Council", "Kent Police", "Wessex Council", "Council of Elrond"} {
		authorities = append(authorities, mustAuthority(t, st, name, tracker.JurisdictionEngland))
	}
	for i := range 40 {
		r := tracker.Request{Title: "Hedges " + idStr(int64(i)), Body: "the hedge plan", AuthorityID: authorities[(i*7)%len(authorities)].ID}
		if i%3 == 0 {
			r.Visibility = tracker.VisibilityPublic
		}
		if i%4 == 0 {
			r.Law = tracker.UKEIR
		}
		if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
			t.Fatal(err)
		}
	}
	store.SetSearchCandidates(t, 5)
	for _, query := range []string{"authority:council", "authority:kent", "authority:council law:uk-eir", "authority:" + idStr(authorities[2].ID),
		"authority:nowhere", `authority:"council of"`, "authority:council kind:request", "authority:police from:2026-01-01"} {
		for _, scope := range []store.SearchScope{store.SearchSignedIn, store.SearchPublic} {
			for _, offset := range []int{0, 3} {
				opt := store.SearchOptions{Scope: scope, Limit: 3, Offset: offset}
				store.SetSearchByAuthorityIndex(t, true)
				got, err := st.Search(ctx, store.ParseSearchQuery(query), opt)
				if err != nil {
					t.Fatal(err)
				}
				store.SetSearchByAuthorityIndex(t, false)
				want, err := st.Search(ctx, store.ParseSearchQuery(query), opt)
				if err != nil {
					t.Fatal(err)
				}
				g, w := hitKeys([]store.SearchResult{got}), hitKeys([]store.SearchResult{want})
				if !slices.Equal(g, w) || got.Total != want.Total || got.More != want.More {
					t.Fatalf("%q (scope %d, offset %d): %v (total %d, more %v) from the index; %v (total %d, more %v) walked",
						query, scope, offset, g, got.Total, got.More, w, want.Total, want.More)
				}
			}
		}
	}
}

// A search by filters alone looks through a budget of the newest
// requests: when none of them passes (a date before any of them, or an
// authority's requests all older), it stops there, says so and where to
// go on from; followed, the steps find every request that passes, each
// once, in public too. A filter on one request is not bounded. (Before,
// the search read every request to find that none passed: 7.9 s at a
// million requests for to:2015-01-01.)
func TestSearchByFiltersAloneLooksThroughABudgetOfRequests(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	council := mustAuthority(t, st, "Barset Council", tracker.JurisdictionEngland)
	var old []int64
	add := func(on string, n int, keep bool) {
		for range n {
			r := tracker.Request{Title: "Bins", Body: "bin collections", AuthorityID: council.ID, Visibility: tracker.VisibilityPublic}
			if err := st.CreateRequest(ctx, &r, day(on)); err != nil {
				t.Fatal(err)
			}
			if keep {
				old = append(old, r.ID)
			}
		}
	}
	// Oldest first: three sent in 2014, then twenty-four in 2026.
	add("2014-03-03", 3, true)
	add("2026-03-02", 24, false)
	var want []string
	for _, id := range slices.Backward(old) {
		want = append(want, "request:"+idStr(id))
	}
	for _, scope := range []store.SearchScope{store.SearchSignedIn, store.SearchPublic} {
		store.SetSearchFilterWalkBudget(t, 1000)
		all := walkAll(t, st, "to:2015-01-01", store.SearchOptions{Scope: scope})
		if len(all) != 1 || all[0].Stopped || all[0].Total != 3 {
			t.Fatalf("scope %v within the budget: %d steps, stopped %v, total %d; want 1, false, 3", scope, len(all), all[0].Stopped, all[0].Total)
		}
		store.SetSearchFilterWalkBudget(t, 5)
		steps := walkAll(t, st, "to:2015-01-01", store.SearchOptions{Scope: scope})
		if first := steps[0]; !first.Stopped || first.Looked != 5 || first.Total != 0 || len(first.Hits) != 0 || first.Next <= 0 {
			t.Fatalf("scope %v, first step: stopped %v, looked %d, total %d, %d hits, next %d; want true, 5, 0, 0, a place",
				scope, first.Stopped, first.Looked, first.Total, len(first.Hits), first.Next)
		}
		if len(steps) < 5 {
			t.Fatalf("scope %v: %d steps for 27 requests 5 at a time", scope, len(steps))
		}
		if got := hitKeys(steps); !slices.Equal(got, want) {
			t.Fatalf("scope %v: the steps found %v, want %v, each once", scope, got, want)
		}
		// A filter every request of a step passes: each step finds its
		// five, newest first, and the steps all 24.
		if got := hitKeys(walkAll(t, st, "from:2026-01-01", store.SearchOptions{Scope: scope})); len(got) != 24 || slices.Contains(got, want[0]) {
			t.Fatalf("scope %v, from:2026-01-01 found %d (%v)", scope, len(got), got)
		}
	}
	// One request: never bounded.
	store.SetSearchFilterWalkBudget(t, 5)
	res, err := st.Search(ctx, store.ParseSearchQuery("to:2015-01-01"), store.SearchOptions{RequestID: old[0], Limit: 20})
	if err != nil || res.Stopped || res.Total != 1 {
		t.Fatalf("one request: stopped %v, total %d, %v; want false, 1", res.Stopped, res.Total, err)
	}
}

// A bounded walk of a search by filters alone goes by the key, newest
// first, and stops at the page's bound, whatever filter it has: with an
// authority filter naming many authorities, SQLite read each one's range
// of requests_authority and sorted them all (authority:council: 2,692
// authorities at a million requests, 127 ms of CPU in public; 8 ms by the
// key).
func TestSearchByFiltersWalksByTheKey(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	for _, name := range []string{"Barset Council", "Wessex County Council", "Loamshire Council"} {
		a := mustAuthority(t, st, name, tracker.JurisdictionEngland)
		for range 3 {
			r := tracker.Request{Title: "Bins", AuthorityID: a.ID, Visibility: tracker.VisibilityPublic}
			if err := st.CreateRequest(ctx, &r, day("2026-03-02")); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, scope := range []store.SearchScope{store.SearchSignedIn, store.SearchPublic} {
		type read struct {
			q    string
			args []any
		}
		var reads []read
		st.TraceReads(func(q string, args []any) {
			if strings.Contains(q, "SELECT r.id, r.authority_id FROM requests r") {
				reads = append(reads, read{q, args})
			}
		})
		if _, err := st.SearchUnkept(ctx, store.ParseSearchQuery("authority:council status:awaiting_response"), store.SearchOptions{Scope: scope}); err != nil {
			t.Fatal(err)
		}
		st.TraceReads(nil)
		if len(reads) != 1 {
			t.Fatalf("scope %v: %d reads of the requests by filters", scope, len(reads))
		}
		rows, err := st.Reader().QueryContext(ctx, "EXPLAIN QUERY PLAN "+reads[0].q, reads[0].args...)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		text := strings.Join(plan, "; ")
		if strings.Contains(text, "TEMP B-TREE") || strings.Contains(text, "requests_authority") || !strings.Contains(text, "SEARCH r USING") {
			t.Errorf("scope %v: the walk's plan is %s", scope, text)
		}
	}
}
