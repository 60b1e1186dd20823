package store_test

import (
	"context"
	"testing"

	"github.com/foitrack/foitrack/internal/seed"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// TestRecomputeAfterRuleChangesEqualsEvery: on a seeded database of
// requests in every state under every law, after each kind of change of
// the rules — a holiday added on a day many open requests' dates run over,
// the same taken away, holidays added on days no request's dates reach, a
// holiday on one calendar only, a law's rules changed, and rows whose read
// days are not known — `recompute` leaves every stored value (each
// request's row and windows) exactly as a `recompute --every` that works
// every request out gives it, while working out only the requests the
// change can affect: some but not all for a holiday among the open
// requests' dates, none for a holiday no request reaches, only that law's
// for a law's rules.
func TestRecomputeAfterRuleChangesEqualsEvery(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	if _, err := seed.Run(ctx, st, seed.Options{Requests: 200, Messages: 200, Seed: 11, Password: "correct horse battery"}); err != nil {
		t.Fatal(err)
	}
	d := tracker.MustParseDate
	db := st.Writer()
	count := func(where string) int {
		t.Helper()
		var n int
		if err := db.QueryRow(`SELECT count(*) FROM requests WHERE ` + where).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	total := count("1")
	snapshot := func() []string { t.Helper(); return storedValues(t, db) }
	// check recomputes, compares every stored value with what a recompute
	// of every request then gives, and returns what the first did.
	check := func(what string) store.RecomputeResult {
		t.Helper()
		res, err := st.Recompute(ctx, true)
		if err != nil {
			t.Fatal(err)
		}
		got := snapshot()
		every, err := st.RecomputeEvery(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := snapshot()
		if every.Changed != 0 || len(got) != len(want) {
			t.Errorf("%s: recompute %+v left %d standings that a recompute of every request changed", what, res, every.Changed)
		}
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Errorf("%s: recompute %+v stored\n%s\nwhere recomputing every request stores\n%s", what, res, got[i], want[i])
				break
			}
		}
		t.Logf("%s: %+v", what, res)
		if res.Requests != total {
			t.Errorf("%s: recompute looked at %d requests, want %d", what, res.Requests, total)
		}
		return res
	}

	check("after seeding")
	if res := check("nothing changed"); res.WorkedOut != 0 {
		t.Errorf("nothing changed: %+v, want none worked out", res)
	}

	// Monday 14 December 2026, a fortnight after the seed's last day,
	// becomes a bank holiday in every part of the UK.
	undo := tracker.AddHoliday(tracker.CalendarUK, d("2026-12-14"), "Bank holiday for a test")
	ukRequests := count("law IN ('uk-foia', 'uk-eir')")
	if res := check("holiday added among open requests' dates"); res.Changed == 0 || res.WorkedOut >= ukRequests {
		t.Errorf("holiday added among open requests' dates: %+v, want some changed, fewer than the %d UK requests worked out", res, ukRequests)
	}
	undo()
	if res := check("holiday taken away"); res.Changed == 0 || res.WorkedOut >= ukRequests {
		t.Errorf("holiday taken away: %+v, want some changed, fewer than the %d UK requests worked out", res, ukRequests)
	}

	for _, cal := range []string{tracker.CalendarUK, tracker.CalendarScotland, tracker.CalendarUSFederal, tracker.CalendarIreland, tracker.CalendarAustralia} {
		undo := tracker.AddHoliday(cal, d("2019-06-18"), "Holiday before any request")
		defer undo()
		undo2 := tracker.AddHoliday(cal, d("2031-06-17"), "Holiday after every request")
		defer undo2()
	}
	if res := check("holidays added on days no request reaches"); res.WorkedOut != 0 {
		t.Errorf("holidays added on days no request reaches: %+v, want none worked out", res)
	}

	undo = tracker.AddHoliday(tracker.CalendarScotland, d("2026-12-15"), "Scottish bank holiday for a test")
	defer undo()
	scottish := count("law IN ('scot-foisa', 'scot-eisr')")
	if res := check("holiday added on the Scottish calendar"); res.WorkedOut == 0 || res.WorkedOut > scottish {
		t.Errorf("holiday added on the Scottish calendar: %+v, want some of the %d Scottish requests worked out, no other", res, scottish)
	}

	i := 0
	for tracker.Laws[i].Code != tracker.UKEIR {
		i++
	}
	saved := tracker.Laws[i]
	defer func() { tracker.Laws[i] = saved }()
	tracker.Laws[i].ReviewDecideDays, tracker.Laws[i].ReviewDecideMax = 30, 30
	if res := check("a law's rules changed"); res.WorkedOut != count("law = 'uk-eir'") || res.Changed == 0 {
		t.Errorf("a law's rules changed: %+v, want its %d requests worked out, some changed", res, count("law = 'uk-eir'"))
	}
	tracker.Laws[i] = saved
	if res := check("a law's rules changed back"); res.WorkedOut != count("law = 'uk-eir'") || res.Changed == 0 {
		t.Errorf("a law's rules changed back: %+v, want its %d requests worked out, some changed", res, count("law = 'uk-eir'"))
	}

	// Rows from before the read days were kept: worked out on any change
	// of their law's calendar.
	if _, err := db.Exec(`UPDATE requests SET plan_read_from = NULL, plan_read_to = NULL WHERE id % 5 = 0 AND law IN ('uk-foia', 'uk-eir')`); err != nil {
		t.Fatal(err)
	}
	unknownUK := count("id % 5 = 0 AND law IN ('uk-foia', 'uk-eir')")
	undo = tracker.AddHoliday(tracker.CalendarUK, d("2031-06-18"), "Bank holiday no request reaches")
	defer undo()
	if res := check("holiday added, some read days unknown"); res.WorkedOut != unknownUK {
		t.Errorf("holiday added, some read days unknown: %+v, want the %d UK requests of unknown read days worked out", res, unknownUK)
	}
}
