package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// TestWhereItStandsFollowsTheStory walks a UK FOIA refusal → internal review
// → upheld → complaint and checks the advice on the request page and the
// dashboard's "Needs you" at each step: the review before the ICO, the ICO
// window from the review outcome, then waiting for the regulator.
func TestWhereItStandsFollowsTheStory(t *testing.T) {
	// The clock is read by the dashboard's background insight job too.
	var clock sync.Mutex
	now := testNow
	app := newTestApp(t, func(c *Config) {
		c.Now = func() time.Time { clock.Lock(); defer clock.Unlock(); return now }
	})
	app.user("editor@example.org", store.RoleEditor)
	c := app.login("editor@example.org")
	ctx := context.Background()
	council := app.authority("Barsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("Speed camera contracts", council.ID, "2026-03-02", false)
	other := app.request("Gritting routes", council.ID, "2026-03-02", false)
	record := func(e tracker.Event) {
		t.Helper()
		e.RequestID = r.ID
		if err := app.st.AddEvent(ctx, &e); err != nil {
			t.Fatal(err)
		}
	}
	day := func(s string) {
		clock.Lock()
		defer clock.Unlock()
		now = tracker.MustParseDate(s).Time().Add(10 * time.Hour)
	}
	page := fmt.Sprintf("/requests/%d", r.ID)
	section := func(body, id string) string {
		i := strings.Index(body, `id="`+id+`"`)
		if i < 0 {
			t.Fatalf("no #%s on the page", id)
		}
		j := strings.Index(body[i:], "</section>")
		return body[i : i+j]
	}
	check := func(path, id string, want, unwanted []string) {
		t.Helper()
		res, body := c.get(path)
		wantStatus(t, res, http.StatusOK)
		s := section(body, id)
		for _, w := range want {
			if !strings.Contains(s, w) {
				t.Errorf("%s on %s: #%s lacks %q:\n%s", path, now.Format("2006-01-02"), id, w, s)
			}
		}
		for _, u := range unwanted {
			if strings.Contains(s, u) {
				t.Errorf("%s on %s: #%s shows %q:\n%s", path, now.Format("2006-01-02"), id, u, s)
			}
		}
	}

	day("2026-03-25")
	check(page, "where", []string{"Waiting for the authority", "Awaiting the response", "Tue 31 Mar 2026", "FOIA 2000 s10(1)"}, nil)
	check("/", "due-soon", []string{"Speed camera contracts", "Tue 31 Mar 2026"}, nil)
	day("2026-04-01")
	check(page, "where", []string{"Your move", "Chase the response", "overdue", "/letters/chaser"}, nil)
	check("/", "needs-you", []string{"Speed camera contracts", "Gritting routes", "Chase the response"}, nil)

	record(tracker.Event{Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-03-27"), Outcome: tracker.OutcomeRefused, Exemptions: []string{"s31(1)(a)"}})
	check(page, "where", []string{"Ask for a review by", "Thu 28 May 2026", "Code of Practice", "guidance", "/letters/internal_review"},
		[]string{"Complain to the regulator", "/letters/regulator_complaint"})
	check("/", "needs-you", []string{"Ask for a review", "Thu 28 May 2026"}, nil)

	record(tracker.Event{Kind: tracker.EventReviewRequested, Date: tracker.MustParseDate("2026-04-10")})
	day("2026-04-20")
	check(page, "where", []string{"Waiting for the authority", "Mon 11 May 2026", "met"}, []string{"Ask for a review by"})
	res, body := c.get("/")
	wantStatus(t, res, http.StatusOK)
	if s := section(body, "needs-you"); strings.Contains(s, "Speed camera contracts") {
		t.Errorf("a request waiting for its review still needs you:\n%s", s)
	}

	record(tracker.Event{Kind: tracker.EventReviewOutcome, Date: tracker.MustParseDate("2026-05-08"), Outcome: tracker.OutcomeUpheld})
	day("2026-05-10")
	check(page, "where", []string{"Complain to the regulator by", "Sat 8 Aug 2026", "ICO guidance", "/letters/regulator_complaint"}, nil)
	check("/", "needs-you", []string{"Speed camera contracts", "Complain to the regulator", "Sat 8 Aug 2026"}, nil)

	record(tracker.Event{Kind: tracker.EventRegulatorComplaint, Date: tracker.MustParseDate("2026-05-20")})
	day("2026-06-01")
	check(page, "where", []string{"Waiting for the regulator", "Awaiting the regulator", "w-met"}, []string{"Your move", "/letters/regulator_complaint"})
	check("/", "regulator", []string{"Speed camera contracts"}, nil)
	_ = other

	// The JSON API gives the same next action, with its windows.
	res, body = c.postForm("/settings/tokens", url.Values{"name": {"script"}})
	wantStatus(t, res, http.StatusOK)
	m := regexp.MustCompile(`<code class="secret">(foit_[A-Za-z0-9_-]+)</code>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatal("no token on the page")
	}
	res, body = app.api(http.MethodGet, "/api/v1"+page, m[1], "")
	wantStatus(t, res, http.StatusOK)
	var got struct {
		Request struct {
			NextAction struct {
				Who, Action string
				By          *string
				Windows     []struct{ Kind, State string }
			} `json:"next_action"`
		}
	}
	if err := json.Unmarshal([]byte(body), &got); err != nil {
		t.Fatal(err)
	}
	na := got.Request.NextAction
	if na.Who != "regulator" || na.Action != "await_regulator" || na.By != nil || len(na.Windows) < 4 {
		t.Errorf("API next_action %+v", na)
	}
	res, body = app.api(http.MethodGet, "/api/v1/requests", m[1], "")
	if !strings.Contains(body, `"action":"chase_response"`) {
		t.Errorf("the API list lacks the other request's chaser: %.400s", body)
	}
}

// TestSentItMyselfRecordsTheStep: a letter drafted here but sent by other
// means is recorded as the lifecycle event it stands for, on the day given,
// and the next action moves on; a day in the future or a step the history
// does not allow is refused with the reason, and nothing is recorded.
func TestSentItMyselfRecordsTheStep(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	c := app.login("editor@example.org")
	ctx := context.Background()
	council := app.authority("Barsetshire County Council", tracker.JurisdictionEngland)
	r := app.request("Speed camera contracts", council.ID, "2026-03-02", false)
	letter := fmt.Sprintf("/requests/%d/letters/internal_review", r.ID)

	// Today is Wed 25 Mar 2026 in these tests.
	res, body := c.get(letter)
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "I sent it myself", `value="2026-03-25"`)
	form := url.Values{"action": {"sent_myself"}, "subject": {"Internal review"}, "body": {"Please review"}, "sent_on": {"2026-03-24"}}
	draft := app.request("Not sent yet", council.ID, "", false)
	res, body = c.postForm(fmt.Sprintf("/requests/%d/letters/internal_review", draft.ID), form)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "Not recorded", "Internal review requested", "Draft")
	form.Set("sent_on", "2026-03-26")
	res, body = c.postForm(letter, form)
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, "cannot be in the future", `aria-invalid="true"`)
	if evs, _ := app.st.Events(ctx, r.ID); len(evs) != 1 {
		t.Fatalf("a refused record recorded: %+v", evs)
	}

	if err := app.st.AddEvent(ctx, &tracker.Event{RequestID: r.ID, Kind: tracker.EventResponseReceived, Date: tracker.MustParseDate("2026-03-20"), Outcome: tracker.OutcomeRefused}); err != nil {
		t.Fatal(err)
	}
	form.Set("sent_on", "2026-03-24")
	res, _ = c.postForm(letter, form)
	wantStatus(t, res, http.StatusSeeOther)
	evs, _ := app.st.Events(ctx, r.ID)
	if last := evs[len(evs)-1]; last.Kind != tracker.EventReviewRequested || last.Date.String() != "2026-03-24" {
		t.Fatalf("recorded %+v", last)
	}
	plan, _ := app.st.StoredPlan(ctx, r.ID)
	if plan.Now.Action != tracker.ActionAwaitReview {
		t.Fatalf("after the review request sent by hand the next action is %s", plan.Now.Action)
	}
	// A chaser and a complaint record their own steps, in that order (no
	// chaser is recorded once the request is with the regulator).
	for _, step := range []struct {
		kind string
		want tracker.EventKind
	}{{"chaser", tracker.EventChaserSent}, {"regulator_complaint", tracker.EventRegulatorComplaint}} {
		kind, want := step.kind, step.want
		form.Set("sent_on", "2026-03-25")
		res, _ = c.postForm(fmt.Sprintf("/requests/%d/letters/%s", r.ID, kind), form)
		wantStatus(t, res, http.StatusSeeOther)
		evs, _ := app.st.Events(ctx, r.ID)
		if last := evs[len(evs)-1]; last.Kind != want {
			t.Fatalf("%s recorded %s", kind, last.Kind)
		}
	}
}

// TestFieldErrorsAreTiedToTheirFields: a refused form marks the field
// invalid and points it at its message, and radio groups are fieldsets.
func TestFieldErrorsAreTiedToTheirFields(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	c := app.login("editor@example.org")
	app.authority("Barsetshire County Council", tracker.JurisdictionEngland)
	res, body := c.postForm("/requests", url.Values{"title": {""}, "authority_id": {"1"}})
	wantStatus(t, res, http.StatusUnprocessableEntity)
	wantContains(t, body, `id="title" type="text" name="title" value="" maxlength="300" required aria-invalid="true" aria-describedby="title-error"`,
		`<div class="error" id="title-error">`, `<legend>Visibility</legend>`)
	if strings.Contains(body, `aria-describedby="tags-error"`) {
		t.Error("a field without an error is marked invalid")
	}
}
