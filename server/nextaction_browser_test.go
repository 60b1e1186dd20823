package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/foitrack/foitrack/internal/testenv"
	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// axeScript is axe-core, fetched from the npm registry by `make test-deps`
// into .axe/ (never committed).
func axeScript(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.RepoRoot(), ".axe", "axe.min.js"))
	if err != nil {
		testenv.Missing(t, "axe-core (.axe/axe.min.js)", "make test-deps")
	}
	return string(b)
}

// audit runs axe-core on the page open in the browser and fails on any
// serious or critical violation, naming the rule and the elements.
func (b *browser) audit(axe, page string) {
	b.t.Helper()
	if _, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](axe+";true")); err != nil {
		b.t.Fatalf("load axe-core on %s: %v", page, err)
	}
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`axe.run(document, {resultTypes: ["violations"]}).then(r =>
		JSON.stringify(r.violations.filter(v => v.impact === "serious" || v.impact === "critical")
			.map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}))))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		b.t.Fatalf("axe on %s: %v", page, err)
	}
	var vs []struct {
		ID, Impact, Help string
		Nodes            []string
	}
	if err := json.Unmarshal([]byte(out), &vs); err != nil {
		b.t.Fatalf("axe on %s: %v", page, err)
	}
	for _, v := range vs {
		b.t.Errorf("axe on %s: %s (%s): %s at %s", page, v.ID, v.Impact, v.Help, strings.Join(v.Nodes, "; "))
	}
}

// sideways is how many pixels the page scrolls sideways (0: none).
func (b *browser) sideways() int {
	b.t.Helper()
	n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth - document.documentElement.clientWidth`))
	if err != nil {
		b.t.Fatal(err)
	}
	return n
}

// TestBrowserNextActionStory walks a UK FOIA request through refusal →
// internal review → upheld → complaint in Chromium, at desktop (1366 px) and
// phone (390 px) width: at each step the request page's "Where it stands"
// and the dashboard's "Needs you" give the same advice, no page scrolls
// sideways on the phone, and axe-core finds no serious or critical problem
// on the main pages. Today is Wed 25 Mar 2026 (testNow); the dates below
// were counted by hand (FOIA s10(6) working days, St Patrick's Day skipped).
func TestBrowserNextActionStory(t *testing.T) {
	b := newBrowser(t)
	axe := axeScript(t)
	ctx := context.Background()
	u := store.User{Email: "casey@example.org", Name: "Casey", Role: store.RoleEditor}
	if err := b.st.CreateUser(ctx, &u, testPassword); err != nil {
		t.Fatal(err)
	}
	a := tracker.Authority{Name: "Barsetshire County Council with a rather long official name", Jurisdiction: tracker.JurisdictionEngland,
		Email: "foi@barsetshire.gov.uk"}
	if err := b.st.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	r := tracker.Request{Title: "Speed camera contracts and maintenance schedules", AuthorityID: a.ID}
	if err := b.st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-01-05")); err != nil {
		t.Fatal(err)
	}
	if err := b.st.SetRequestOwner(ctx, r.ID, u.ID); err != nil {
		t.Fatal(err)
	}
	record := func(kind tracker.EventKind, date, outcome string, exemptions ...string) {
		t.Helper()
		e := tracker.Event{RequestID: r.ID, Kind: kind, Date: tracker.MustParseDate(date), Outcome: outcome, Exemptions: exemptions}
		if err := b.st.AddEvent(ctx, &e); err != nil {
			t.Fatal(err)
		}
	}
	b.open("/login", http.StatusOK)
	b.do("sign in", chromedp.SendKeys(chromedp.ID("email"), u.Email), chromedp.SendKeys(chromedp.ID("password"), testPassword))
	b.submit("sign in", `form[action="/login"] button[type=submit]`, http.StatusOK)

	page := fmt.Sprintf("/requests/%d", r.ID)
	steps := []struct {
		name          string
		record        func()
		where         []string // on the request page's "Where it stands"
		needsYou      []string // on the dashboard's "Needs you" ("" : not listed)
		notOnNeedsYou bool
	}{
		{"refused", func() { record(tracker.EventResponseReceived, "2026-01-30", tracker.OutcomeRefused, "s31(1)(a)") },
			// 40 working days after Fri 30 Jan 2026: Mon 30 Mar.
			[]string{"Your move", "Ask for a review by Mon 30 Mar 2026", "Code of Practice", "Draft the internal review request"},
			[]string{"Ask for a review", "Mon 30 Mar 2026"}, false},
		{"review requested", func() { record(tracker.EventReviewRequested, "2026-03-10", "") },
			// 20 working days after Tue 10 Mar: Good Friday and Easter Monday skipped: Fri 10 Apr.
			[]string{"Waiting for the authority", "Awaiting the review by Fri 10 Apr 2026", "met"},
			nil, true},
		{"review upheld", func() { record(tracker.EventReviewOutcome, "2026-03-20", tracker.OutcomeUpheld) },
			// ICO: normally within 3 months of Fri 20 Mar.
			[]string{"Your move", "Complain to the regulator by Sat 20 Jun 2026", "ICO guidance", "Draft the complaint"},
			[]string{"Complain to the regulator", "Sat 20 Jun 2026"}, false},
		{"complaint made", func() { record(tracker.EventRegulatorComplaint, "2026-03-24", "") },
			[]string{"Waiting for the regulator", "Awaiting the regulator"},
			nil, true},
	}
	for _, s := range steps {
		s.record()
		// The reminder job reads the same stored step: it reminds Casey of
		// exactly what "Needs you" lists (and of nothing of hers otherwise).
		plan, err := (&remind.Runner{Store: b.st, Location: time.UTC}).Plan(ctx, testNow)
		if err != nil {
			t.Fatal(err)
		}
		var ours []string
		for _, p := range plan {
			if p.Request.ID == r.ID && p.Due.Who == tracker.WhoRequester {
				ours = append(ours, p.Due.Action.Label())
			}
		}
		switch {
		case s.notOnNeedsYou && len(ours) > 0:
			t.Errorf("%s: reminded of %v, which 'Needs you' does not list", s.name, ours)
		case !s.notOnNeedsYou && (len(ours) != 1 || ours[0] != s.needsYou[0]):
			t.Errorf("%s: reminded of %v, 'Needs you' lists %q", s.name, ours, s.needsYou[0])
		}
		for _, width := range []int64{1366, 390} {
			b.do("resize", chromedp.EmulateViewport(width, 900))
			b.open(page, http.StatusOK)
			b.wantText("#where", s.where...)
			if width == 390 {
				if n := b.sideways(); n > 0 {
					t.Errorf("%s: the request page scrolls %d px sideways at 390 px", s.name, n)
				}
			}
			b.screenshot(fmt.Sprintf("next-%s-request-%d", strings.ReplaceAll(s.name, " ", "-"), width))
			b.open("/", http.StatusOK)
			got := b.text("#needs-you")
			if s.notOnNeedsYou {
				if strings.Contains(got, r.Title) {
					t.Errorf("%s at %d px: the dashboard says it needs you:\n%s", s.name, width, got)
				}
			} else {
				for _, w := range append([]string{r.Title}, s.needsYou...) {
					if !strings.Contains(got, w) {
						t.Errorf("%s at %d px: 'Needs you' lacks %q:\n%s", s.name, width, w, got)
					}
				}
			}
			if width == 390 && b.sideways() > 0 {
				t.Errorf("%s: the dashboard scrolls sideways at 390 px", s.name)
			}
		}
	}

	// The main pages: no sideways scroll on a phone, nothing serious for axe.
	pages := []string{"/", "/requests", page, fmt.Sprintf("/authorities/%d", a.ID), "/authorities", "/documents",
		fmt.Sprintf("/requests/%d/letters", r.ID), fmt.Sprintf("/requests/%d/letters/chaser", r.ID), "/requests/new", "/timeline", "/settings"}
	for _, width := range []int64{390, 1366} {
		b.do("resize", chromedp.EmulateViewport(width, 900))
		for _, p := range pages {
			b.open(p, http.StatusOK)
			if width == 390 {
				if n := b.sideways(); n > 0 {
					t.Errorf("%s scrolls %d px sideways at 390 px", p, n)
				}
				continue
			}
			b.audit(axe, p)
		}
	}
	// The keyboard: the first Tab reaches the skip link, which leads to the content.
	b.open(page, http.StatusOK)
	b.do("tab", chromedp.KeyEvent("\t"))
	focused, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.activeElement.getAttribute("href") + " " + document.activeElement.textContent`))
	if err != nil || !strings.Contains(focused, "#main") {
		t.Errorf("the first Tab focuses %q, want the skip link to #main (%v)", focused, err)
	}
}
