package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// tableCase is one case of tracker/testdata/nextaction_cases.json: a
// history under a law, a day, and who must act next, on what, by when.
type tableCase struct {
	Name    string     `json:"name"`
	Law     string     `json:"law"`
	History [][]string `json:"history"` // kind, date, outcome, new due date, reason
	Pending [][]string `json:"pending"`
	Today   string     `json:"today"`
	Who     string     `json:"who"`
	Action  string     `json:"action"`
	By      any        `json:"by"` // "YYYY-MM-DD" or nil
	Overdue bool       `json:"overdue"`
	Cites   string     `json:"cites"`
}

func loadTable(t *testing.T) []tableCase {
	raw, err := os.ReadFile(filepath.Join("..", "..", "tracker", "testdata", "nextaction_cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []tableCase
	if err := json.Unmarshal(raw, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

// TestNextActionTableThroughTheCLI runs every case of the next-action table
// (UK FOIA, EIR, FOISA, EISR, US FOIA, Ireland, Australia) through the
// command line as a user would: the request is added and its history
// recorded with `request add` and `request event`, then `request show ID
// --json --today D` and `due --json --today D` must both give the case's
// who, action and date. Then, on every day of the table, the requester's
// steps agree in three places that all read the stored plan: `due --json
// --who requester`, the dashboard's "Needs you" (store.NeedsYou, what the
// panel lists) and the reminders `remind --dry-run --json` would give.
func TestNextActionTableThroughTheCLI(t *testing.T) {
	dir := t.TempDir()
	mustCLI(t, dir, "authority", "add", "--name", "Barsetshire County Council")
	pw := filepath.Join(t.TempDir(), "pw")
	if err := os.WriteFile(pw, []byte("a long enough passphrase for tests\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustCLI(t, dir, "user", "add", "--admin", "--email", "ada@campaign.example", "--password-file", pw)

	ids := map[string]string{} // request id -> case name
	days := map[string]bool{}
	skipped := 0
	for _, c := range loadTable(t) {
		if len(c.Pending) > 0 {
			// A reply waiting to be confirmed comes from mail, not the
			// command line (the store's and server's tests cover it).
			skipped++
			continue
		}
		if c.History[0][0] != string(tracker.EventSent) {
			t.Fatalf("%s: the history must start with sent", c.Name)
		}
		out := mustCLI(t, dir, "request", "add", "--authority", "1", "--title", c.Name, "--law", c.Law, "--sent", c.History[0][1])
		var n int64
		if _, err := fmt.Sscanf(out, "request %d ", &n); err != nil {
			t.Fatalf("%s: %v\n%s", c.Name, err, out)
		}
		id := fmt.Sprint(n)
		ids[id] = c.Name
		days[c.Today] = true
		for _, h := range c.History[1:] {
			args := []string{"request", "event", id, "--kind", h[0], "--date", h[1]}
			if len(h) > 2 && h[2] != "" {
				args = append(args, "--outcome", h[2])
			}
			if len(h) > 3 && h[3] != "" {
				args = append(args, "--new-due", h[3])
			}
			if len(h) > 4 && h[4] != "" {
				args = append(args, "--reason", h[4])
			}
			mustCLI(t, dir, args...)
		}

		na := showNextAction(t, dir, id, c.Today)
		if na.Who != c.Who || na.Action != c.Action || na.By != c.By || na.Overdue != c.Overdue {
			t.Errorf("%s: request show gives %s/%s by %v overdue %v, want %s/%s by %v overdue %v\n%s",
				c.Name, na.Who, na.Action, na.By, na.Overdue, c.Who, c.Action, c.By, c.Overdue, na.Explanation)
		}
		if !strings.Contains(na.Explanation, c.Cites) {
			t.Errorf("%s: the explanation %q does not cite %q", c.Name, na.Explanation, c.Cites)
		}

		found := false
		for _, d := range dueJSON(t, dir, c.Today) {
			if fmt.Sprint(d.RequestID) != id {
				continue
			}
			found = true
			if d.Who != c.Who || d.Action != c.Action || d.By != c.By || d.Overdue != c.Overdue {
				t.Errorf("%s: due gives %s/%s by %v overdue %v, want %s/%s by %v overdue %v",
					c.Name, d.Who, d.Action, d.By, d.Overdue, c.Who, c.Action, c.By, c.Overdue)
			}
		}
		if want := c.Action != string(tracker.ActionNothing); found != want {
			t.Errorf("%s: listed by due: %v, want %v (%s)", c.Name, found, want, c.Action)
		}
	}
	if len(ids) < 40 {
		t.Fatalf("only %d cases ran (%d skipped)", len(ids), skipped)
	}

	// Every day of the table, over every request: the same requester steps
	// in due (with its default horizon: all of yours are listed), "Needs
	// you" and the reminders.
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var sorted []string
	for d := range days {
		sorted = append(sorted, d)
	}
	sort.Strings(sorted)
	for _, day := range sorted {
		var fromDue, fromPanel, fromReminders []string
		var mine []dueItem
		if err := json.Unmarshal([]byte(mustCLI(t, dir, "due", "--json", "--today", day, "--who", "requester")), &mine); err != nil {
			t.Fatal(err)
		}
		for _, d := range mine {
			fromDue = append(fromDue, fmt.Sprintf("%s %s", ids[fmt.Sprint(d.RequestID)], d.Action))
		}
		items, total, err := st.NeedsYou(context.Background(), tracker.MustParseDate(day), 1000, store.Cursor{})
		if err != nil {
			t.Fatal(err)
		}
		if total != len(items) {
			t.Fatalf("%s: Needs you counts %d, lists %d", day, total, len(items))
		}
		for _, it := range items {
			fromPanel = append(fromPanel, fmt.Sprintf("%s %s", it.Request.Title, it.Step.Action))
		}
		var rems []struct {
			RequestID int64 `json:"request_id"`
			Reminder  struct {
				Who    string `json:"who"`
				Action string `json:"action"`
				Text   string `json:"text"`
			} `json:"reminder"`
		}
		if err := json.Unmarshal([]byte(mustCLI(t, dir, "remind", "--dry-run", "--json", "--now", day)), &rems); err != nil {
			t.Fatal(err)
		}
		for _, r := range rems {
			if r.Reminder.Who == string(tracker.WhoRequester) {
				fromReminders = append(fromReminders, fmt.Sprintf("%s %s", ids[fmt.Sprint(r.RequestID)], r.Reminder.Action))
			}
		}
		sort.Strings(fromDue)
		sort.Strings(fromPanel)
		sort.Strings(fromReminders)
		a, b, c := strings.Join(fromDue, "\n  "), strings.Join(fromPanel, "\n  "), strings.Join(fromReminders, "\n  ")
		if a != b || a != c {
			t.Errorf("on %s the requester's steps disagree:\ndue --who requester:\n  %s\nNeeds you:\n  %s\nreminders:\n  %s", day, a, b, c)
		}
	}
}

// nextActionJSON is the next_action object of `request show ID --json`.
type nextActionJSON struct {
	Who, Action, Explanation string
	By                       any // "YYYY-MM-DD" or nil
	Overdue                  bool
}

// showNextAction is `request show ID --json --today day`'s next action.
func showNextAction(t *testing.T, dir, id, day string) nextActionJSON {
	t.Helper()
	var show struct {
		NextAction nextActionJSON `json:"next_action"`
	}
	if err := json.Unmarshal([]byte(mustCLI(t, dir, "request", "show", id, "--json", "--today", day)), &show); err != nil {
		t.Fatal(err)
	}
	return show.NextAction
}

type dueItem struct {
	RequestID int64 `json:"request_id"`
	Who       string
	Action    string
	By        any
	Overdue   bool
}

// dueJSON is `due --json --today day` with its defaults: every open
// request's step, whatever its date, is listed.
func dueJSON(t *testing.T, dir, day string, more ...string) []dueItem {
	t.Helper()
	var out []dueItem
	args := append([]string{"due", "--json", "--today", day}, more...)
	if err := json.Unmarshal([]byte(mustCLI(t, dir, args...)), &out); err != nil {
		t.Fatal(err)
	}
	return out
}
