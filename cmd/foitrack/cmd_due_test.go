package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
)

// TestNextActionOnTheCommandLine walks refusal → review → upheld →
// complaint → decision for a UK FOIA, a FOISA and a US FOIA request through
// `request show ID --json --today D` and `due --json --today D`: both give
// the same who, action and date, worked out by hand (see tracker's tests).
func TestNextActionOnTheCommandLine(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "authority", "add", "--name", "Barsetshire County Council")
	mustCLI(t, dir, "authority", "add", "--name", "Glasgow City Council", "--jurisdiction", "uk-scotland")
	mustCLI(t, dir, "authority", "add", "--name", "Department of Examples", "--jurisdiction", "us-federal")
	type step struct {
		event   []string // request event arguments after the ID ("" for none)
		today   string
		who     string
		action  string
		by      any // string or nil
		overdue bool
	}
	stories := []struct {
		authority string
		sent      string
		steps     []step
	}{
		{"1", "2026-03-02", []step{
			{nil, "2026-03-10", "authority", "await_response", "2026-03-31", false},
			{nil, "2026-04-01", "requester", "chase_response", nil, true},
			{[]string{"--kind", "response_received", "--date", "2026-03-27", "--outcome", "refused", "--exemptions", "s31(1)(a)"}, "2026-04-01", "requester", "request_review", "2026-05-28", false},
			{[]string{"--kind", "internal_review_requested", "--date", "2026-04-10"}, "2026-04-20", "authority", "await_review", "2026-05-11", false},
			{nil, "2026-05-12", "requester", "chase_review", nil, true},
			{[]string{"--kind", "review_outcome", "--date", "2026-05-08", "--outcome", "upheld"}, "2026-05-10", "requester", "complain_to_regulator", "2026-08-08", false},
			{[]string{"--kind", "regulator_complaint", "--date", "2026-05-20"}, "2026-06-01", "regulator", "await_regulator", nil, false},
			{[]string{"--kind", "regulator_decision", "--date", "2026-09-01", "--outcome", "complaint_not_upheld"}, "2026-09-02", "requester", "appeal_decision", "2026-09-29", false},
		}},
		{"2", "2026-03-02", []step{
			{nil, "2026-03-10", "authority", "await_response", "2026-03-30", false},
			{[]string{"--kind", "response_received", "--date", "2026-03-27", "--outcome", "refused"}, "2026-04-01", "requester", "request_review", "2026-05-27", false},
			{[]string{"--kind", "internal_review_requested", "--date", "2026-04-10"}, "2026-04-20", "authority", "await_review", "2026-05-11", false},
			{[]string{"--kind", "review_outcome", "--date", "2026-05-08", "--outcome", "upheld"}, "2026-05-10", "requester", "complain_to_regulator", "2026-11-08", false},
			{[]string{"--kind", "regulator_complaint", "--date", "2026-05-20"}, "2026-06-01", "regulator", "await_regulator", "2026-09-20", false},
			{[]string{"--kind", "regulator_decision", "--date", "2026-09-01", "--outcome", "complaint_not_upheld"}, "2026-09-02", "requester", "appeal_decision", "2026-10-13", false},
		}},
		{"3", "2026-02-02", []step{
			{nil, "2026-02-10", "authority", "await_response", "2026-03-03", false},
			{[]string{"--kind", "response_received", "--date", "2026-04-10", "--outcome", "released_in_part"}, "2026-04-11", "requester", "request_review", "2026-07-09", false},
			{[]string{"--kind", "internal_review_requested", "--date", "2026-04-15"}, "2026-04-20", "authority", "await_review", "2026-05-13", false},
			{[]string{"--kind", "review_outcome", "--date", "2026-05-12", "--outcome", "upheld"}, "2026-05-13", "requester", "complain_to_regulator", nil, false},
		}},
	}
	for i, s := range stories {
		id := fmt.Sprint(i + 1)
		mustCLI(t, dir, "request", "add", "--authority", s.authority, "--title", "Story "+id, "--sent", s.sent)
		for _, st := range s.steps {
			if st.event != nil {
				mustCLI(t, dir, append([]string{"request", "event", id}, st.event...)...)
			}
			na := showNextAction(t, dir, id, st.today)
			if na.Who != st.who || na.Action != st.action || na.By != st.by || na.Overdue != st.overdue || na.Explanation == "" {
				t.Errorf("request %s on %s: show gives %s/%s by %v overdue %v, want %s/%s by %v overdue %v",
					id, st.today, na.Who, na.Action, na.By, na.Overdue, st.who, st.action, st.by, st.overdue)
			}
			due := dueJSON(t, dir, st.today)
			found := false
			for _, d := range due {
				if fmt.Sprint(d.RequestID) == id {
					found = true
					if d.Who != st.who || d.Action != st.action || d.By != st.by || d.Overdue != st.overdue {
						t.Errorf("request %s on %s: due gives %+v, want %s/%s by %v", id, st.today, d, st.who, st.action, st.by)
					}
				}
			}
			if !found {
				t.Errorf("request %s on %s: not in due", id, st.today)
			}
		}
	}
	// --days narrows the dated steps; --who one side.
	var due []map[string]any
	json.Unmarshal([]byte(mustCLI(t, dir, "due", "--json", "--today", "2026-09-02", "--days", "7", "--who", "authority")), &due)
	if len(due) != 0 {
		t.Errorf("authority actions due within a week of 2 Sep: %v", due)
	}
	if code, _, _ := cli(t, dir, "due", "--who", "nobody"); code != 2 {
		t.Errorf("due --who nobody: exit %d, want 2", code)
	}
	// recompute works every request out again and changes nothing here.
	before := mustCLI(t, dir, "request", "show", "2", "--json", "--today", "2026-09-02")
	if out := mustCLI(t, dir, "recompute", "--json"); !strings.Contains(out, `"recomputed": 3`) || !strings.Contains(out, `"changed": 0`) {
		t.Errorf("recompute --json: %s", out)
	}
	if after := mustCLI(t, dir, "request", "show", "2", "--json", "--today", "2026-09-02"); after != before {
		t.Errorf("recompute changed request 2:\n%s\n%s", before, after)
	}
	if code, _, _ := cli(t, dir, "recompute", "extra"); code != 2 {
		t.Errorf("recompute extra: exit %d, want 2", code)
	}
}
