package main

import (
	"flag"
	"fmt"
	"text/tabwriter"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

func init() {
	register(command{"due", "who must act next, on what, by when: every open request's step in force, soonest first (--days N: the authority's and regulator's only when due within N days)", due})
}

func due(env *Env, args []string) error {
	fs := newFlags(env, "due", "[--days N] [--who requester|authority|regulator] [--today YYYY-MM-DD] [--json]")
	days := fs.Int("days", -1, "list the authority's and the regulator's steps only when overdue or due within this many calendar days (yours are all listed; default: every step)")
	who := fs.String("who", "", "only the actions of this side: requester, authority or regulator")
	todayFlag := fs.String("today", "", "pretend today is this date")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	daysGiven := false
	fs.Visit(func(f *flag.Flag) { daysGiven = daysGiven || f.Name == "days" })
	if daysGiven && *days < 0 {
		return usagef("--days must not be negative")
	}
	switch tracker.Who(*who) {
	case "", tracker.WhoRequester, tracker.WhoAuthority, tracker.WhoRegulator:
	default:
		return usagef("--who: %q is not requester, authority or regulator", *who)
	}
	today, err := todayArg(*todayFlag)
	if err != nil {
		return err
	}
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	rows, err := DueList(env, st, today, *days, tracker.Who(*who))
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env, rows)
	}
	if len(rows) == 0 {
		if *days < 0 {
			fmt.Fprintln(env.Stdout, "No open request has a step to take.")
		} else {
			fmt.Fprintf(env.Stdout, "Nothing overdue and nothing due by %s.\n", today.AddDays(*days).Long())
		}
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tREF\tTITLE\tAUTHORITY\tWHO\tNEXT\tBY")
	for _, r := range rows {
		by := "—"
		if !r.By.IsZero() {
			by = r.By.String()
		}
		if r.Overdue {
			by += " (overdue)"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.RequestID, r.OurRef, clip(r.Title, 36),
			clip(r.AuthorityName, 28), r.Who, r.Action.Label(), by)
	}
	return tw.Flush()
}

// DueRow is one line of the due list: a request and the step in force.
type DueRow struct {
	RequestID     int64          `json:"request_id"`
	OurRef        string         `json:"our_ref"`
	Title         string         `json:"title"`
	AuthorityName string         `json:"authority_name"`
	Status        tracker.Status `json:"status"`
	Who           tracker.Who    `json:"who"`
	Action        tracker.Action `json:"action"`
	By            tracker.Date   `json:"by"` // null when no rule gives a date
	Overdue       bool           `json:"overdue"`
	Explanation   string         `json:"explanation"`
}

// DueList is every open request's step in force on today, both sides (or
// only who's), read from the stored next actions; with days >= 0, the
// authority's and regulator's only when dated on or before today+days
// (overdue ones included) or undated, the requester's whatever their date
// (as "Needs you" and the reminders have them).
func DueList(env *Env, st *store.Store, today tracker.Date, days int, who tracker.Who) ([]DueRow, error) {
	f := store.DueFilter{Today: today, Who: who}
	if days >= 0 {
		f.Until = today.AddDays(days)
	}
	items, err := st.DueActions(env.Ctx, f)
	if err != nil {
		return nil, err
	}
	out := []DueRow{}
	for _, it := range items {
		r := it.Request
		out = append(out, DueRow{RequestID: r.ID, OurRef: r.OurRef, Title: r.Title, AuthorityName: r.AuthorityName, Status: r.Status,
			Who: it.Step.Who, Action: it.Step.Action, By: it.Step.By, Overdue: it.Overdue, Explanation: it.Step.Explanation})
	}
	return out, nil
}

// todayArg is the --today option: the given date, or today.
func todayArg(s string) (tracker.Date, error) {
	if s == "" {
		return tracker.Today(nil), nil
	}
	d, err := tracker.ParseDate(s)
	if err != nil {
		return d, usagef("--today: %v", err)
	}
	return d, nil
}
