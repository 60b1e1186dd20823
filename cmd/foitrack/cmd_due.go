package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

func init() {
	register(command{"due", "what is overdue, and what falls due in the next N days", due})
}

func due(env *Env, args []string) error {
	fs := newFlags(env, "due", "[--days N] [--today YYYY-MM-DD] [--json]")
	days := fs.Int("days", 7, "look this many calendar days ahead")
	todayFlag := fs.String("today", "", "pretend today is this date")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *days < 0 {
		return usagef("--days must not be negative")
	}
	today := tracker.Today(nil)
	if *todayFlag != "" {
		var err error
		if today, err = tracker.ParseDate(*todayFlag); err != nil {
			return usagef("--today: %v", err)
		}
	}
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	rows, err := DueList(env, st, today, *days)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env, rows)
	}
	if len(rows) == 0 {
		fmt.Fprintf(env.Stdout, "Nothing overdue and nothing due by %s.\n", today.AddDays(*days).Long())
		return nil
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tREF\tTITLE\tAUTHORITY\tSTATUS\tDUE\tSTANDING")
	for _, r := range rows {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.Request.ID, r.Request.OurRef, clip(r.Request.Title, 36),
			clip(r.Request.AuthorityName, 28), r.Request.Status.Label(), r.Request.DueDate, r.Standing)
	}
	return tw.Flush()
}

// DueRow is one line of the due list.
type DueRow struct {
	Request  tracker.Request `json:"request"`
	Standing string          `json:"standing"`
}

// DueList is every open request whose date in force is on or before today+days.
func DueList(env *Env, st *store.Store, today tracker.Date, days int) ([]DueRow, error) {
	list, err := st.Requests(env.Ctx, store.RequestFilter{DueBefore: today.AddDays(days), OrderBy: "due"})
	if err != nil {
		return nil, err
	}
	var out []DueRow
	for _, r := range list {
		events, err := st.Events(env.Ctx, r.ID)
		if err != nil {
			return nil, err
		}
		law, _ := tracker.LawByCode(r.Law)
		s := tracker.ComputeDeadlines(law, events).Standing(today)
		out = append(out, DueRow{Request: r, Standing: s.Text})
	}
	return out, nil
}
