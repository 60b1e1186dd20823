package main

import (
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

func init() {
	register(command{"request add", "log a new request (draft, or sent with --sent DATE)", requestAdd})
	register(command{"request list", "list requests with status and due date", requestList})
	register(command{"request show", "show a request, its history and its deadlines", requestShow})
	register(command{"request event", "record a lifecycle event (sent, response, review…)", requestEvent})
}

func requestAdd(env *Env, args []string) error {
	fs := newFlags(env, "request add", "--authority ID|NAME --title TITLE [options]")
	var r tracker.Request
	var auth, law, tags, textFile, sent, owner string
	var public bool
	fs.StringVar(&auth, "authority", "", "authority ID or name (required)")
	fs.StringVar(&r.Title, "title", "", "short title (required)")
	fs.StringVar(&r.Body, "text", "", "the text of the request")
	fs.StringVar(&textFile, "text-file", "", "read the text of the request from a file")
	fs.StringVar(&law, "law", "", "uk-foia, uk-eir, scot-foisa, scot-eisr, us-foia, ie-foi, au-foi (default: the authority's)")
	fs.StringVar(&tags, "tags", "", "comma-separated tags")
	fs.StringVar(&r.OurRef, "our-ref", "", "our reference (default: generated)")
	fs.StringVar(&sent, "sent", "", "date the authority received it, YYYY-MM-DD (omit for a draft)")
	fs.BoolVar(&public, "public", false, "give the request a public page")
	fs.StringVar(&owner, "owner", "", "email of the user who owns it and gets its reminders (default: nobody)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if auth == "" || r.Title == "" {
		return usagef("--authority and --title are required")
	}
	if err := checkLawFlag(law); err != nil {
		return err
	}
	if textFile != "" {
		b, err := os.ReadFile(textFile)
		if err != nil {
			return err
		}
		r.Body = string(b)
	}
	var sentOn tracker.Date
	if sent != "" {
		var err error
		if sentOn, err = tracker.ParseDate(sent); err != nil {
			return usagef("--sent: %v", err)
		}
	}
	st, err := env.Store()
	if err != nil {
		return err
	}
	a, err := resolveAuthority(env, st, auth)
	if err != nil {
		return err
	}
	r.AuthorityID, r.Law, r.Tags = a.ID, tracker.LawCode(law), []string{tags}
	if public {
		r.Visibility = tracker.VisibilityPublic
	}
	n := store.NewRequest{SentOn: sentOn}
	if owner != "" {
		u, err := st.UserByEmail(env.Ctx, owner)
		if err != nil {
			return err
		}
		n.OwnerID = u.ID
	}
	if err := st.CreateRequestWith(env.Ctx, &r, n); err != nil {
		return err
	}
	r, _ = st.RequestByID(env.Ctx, r.ID)
	fmt.Fprintf(env.Stdout, "request %d (%s) to %s under %s: %s", r.ID, r.OurRef, a.Name, r.Law, r.Status.Label())
	if !r.DueDate.IsZero() {
		fmt.Fprintf(env.Stdout, ", due %s", r.DueDate.Long())
	}
	fmt.Fprintln(env.Stdout)
	return nil
}

func requestList(env *Env, args []string) error {
	fs := newFlags(env, "request list", "[filters]")
	var f store.RequestFilter
	var status, law, auth string
	fs.StringVar(&status, "status", "", "only this status (e.g. awaiting_response, internal_review)")
	fs.StringVar(&law, "law", "", "only this law")
	fs.StringVar(&auth, "authority", "", "only this authority (ID or name)")
	fs.StringVar(&f.Tag, "tag", "", "only with this tag")
	fs.StringVar(&f.Query, "q", "", "search title, text and references")
	fs.BoolVar(&f.OpenOnly, "open", false, "only open requests")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	f.Status, f.Law, f.OrderBy = tracker.Status(status), tracker.LawCode(law), "due"
	if status != "" && !validStatus(f.Status) {
		return usagef("unknown --status %q; statuses: %s", status, statusList())
	}
	if err := checkLawFlag(law); err != nil {
		return err
	}
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	if auth != "" {
		a, err := resolveAuthority(env, st, auth)
		if err != nil {
			return err
		}
		f.AuthorityID = a.ID
	}
	list, err := st.Requests(env.Ctx, f)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env, list)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tREF\tTITLE\tAUTHORITY\tLAW\tSTATUS\tDUE")
	for _, r := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, r.OurRef, clip(r.Title, 40), clip(r.AuthorityName, 30), r.Law, r.Status.Label(), r.DueDate)
	}
	return tw.Flush()
}

func requestShow(env *Env, args []string) error {
	fs := newFlags(env, "request show", "ID [--today YYYY-MM-DD] [--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	todayFlag := fs.String("today", "", "pretend today is this date (for the next action)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	today, err := todayArg(*todayFlag)
	if err != nil {
		return err
	}
	id, err := idArg(fs, "request")
	if err != nil {
		return err
	}
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	r, err := st.RequestByID(env.Ctx, id)
	if err != nil {
		return err
	}
	events, err := st.Events(env.Ctx, id)
	if err != nil {
		return err
	}
	docs, err := st.Documents(env.Ctx, store.DocumentFilter{RequestID: id})
	if err != nil {
		return err
	}
	law, _ := tracker.LawByCode(r.Law)
	dl := tracker.ComputeDeadlines(law, events)
	plan, err := st.StoredPlan(env.Ctx, id)
	if err != nil {
		return err
	}
	next := plan.At(today)
	if *asJSON {
		if events == nil {
			events = []tracker.Event{}
		}
		if docs == nil {
			docs = []tracker.Document{}
		}
		return writeJSON(env, map[string]any{"request": r, "events": events, "documents": docs, "deadlines": dl, "next_action": next})
	}
	w := env.Stdout
	fmt.Fprintf(w, "Request %d  %s\n%s\n", r.ID, r.OurRef, r.Title)
	fmt.Fprintf(w, "Authority: %s   Law: %s   Status: %s", r.AuthorityName, law.Name, r.Status.Label())
	if r.Outcome != "" {
		fmt.Fprintf(w, " (%s)", tracker.OutcomeLabel(r.Outcome))
	}
	fmt.Fprintf(w, "\nTheir ref: %s   Visibility: %s   Tags: %s\n", orDash(r.TheirRef), r.Visibility, orDash(strings.Join(r.Tags, ", ")))
	fmt.Fprintf(w, "\nNext: %s", next.Action.Label())
	if next.Who != tracker.WhoNone {
		fmt.Fprintf(w, " (%s)", next.Who)
	}
	if !next.By.IsZero() {
		fmt.Fprintf(w, " by %s", next.By.Long())
		if next.Overdue {
			fmt.Fprint(w, ", overdue")
		}
	}
	fmt.Fprintf(w, "\n  %s\n", next.Explanation)
	fmt.Fprintln(w, "\nHistory:")
	for _, e := range events {
		fmt.Fprintf(w, "  %s  %s", e.Date, e.Kind.Label())
		if e.Outcome != "" {
			fmt.Fprintf(w, ": %s", tracker.OutcomeLabel(e.Outcome))
		}
		if len(e.Exemptions) > 0 {
			fmt.Fprintf(w, " [%s]", strings.Join(e.Exemptions, ", "))
		}
		if !e.NewDueDate.IsZero() {
			fmt.Fprintf(w, " new due date %s", e.NewDueDate)
		}
		if e.Reason != "" {
			fmt.Fprintf(w, " (%s)", e.Reason)
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "\nDeadlines:")
	for _, d := range deadlineList(dl) {
		fmt.Fprintf(w, "  %-28s %s\n      %s\n", d.Label+":", d.Date.Long(), d.Explanation)
	}
	if len(next.Windows) > 0 {
		fmt.Fprintln(w, "\nWindows:")
		for _, win := range next.Windows {
			fmt.Fprintf(w, "  %-44s %s  %s (%s)\n", win.Label+":", win.Date.Long(), win.State, win.Who)
		}
	}
	if len(docs) > 0 {
		fmt.Fprintln(w, "\nDocuments:")
		for _, d := range docs {
			fmt.Fprintf(w, "  %d  %s  %s  %d bytes  %s", d.ID, d.Filename, d.Disposition, d.Size, d.SHA256)
			if len(d.Exemptions) > 0 {
				fmt.Fprintf(w, " [%s]", strings.Join(d.Exemptions, ", "))
			}
			fmt.Fprintln(w)
		}
	}
	return nil
}

func requestEvent(env *Env, args []string) error {
	fs := newFlags(env, "request event", "ID --kind KIND --date YYYY-MM-DD [options]\n\nKinds: "+eventKindList())
	var e tracker.Event
	var kind, date, newDue, exemptions string
	fs.StringVar(&kind, "kind", "", "event kind (required)")
	fs.StringVar(&date, "date", "", "when it happened, YYYY-MM-DD (default today)")
	fs.StringVar(&e.Outcome, "outcome", "", "for a response: released_in_full, released_in_part, refused, not_held, neither_confirm_nor_deny; review: upheld, partly_upheld, overturned")
	fs.StringVar(&exemptions, "exemptions", "", "exemptions cited, comma-separated (e.g. \"s31(1)(a),s40(2)\")")
	fs.StringVar(&newDue, "new-due", "", "for an extension: the new due date the authority gave")
	fs.StringVar(&e.Reason, "reason", "", "for an extension: the reason (e.g. public interest test)")
	fs.StringVar(&e.Note, "note", "", "a note")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id, err := idArg(fs, "request")
	if err != nil {
		return err
	}
	if kind == "" {
		return usagef("give --kind; kinds: %s", eventKindList())
	}
	e.RequestID, e.Kind = id, tracker.EventKind(kind)
	if !tracker.ValidEventKind(e.Kind) {
		return usagef("unknown kind %q; kinds: %s", kind, eventKindList())
	}
	e.Date = tracker.Today(nil)
	if date != "" {
		if e.Date, err = tracker.ParseDate(date); err != nil {
			return usagef("--date: %v", err)
		}
	}
	if newDue != "" {
		if e.NewDueDate, err = tracker.ParseDate(newDue); err != nil {
			return usagef("--new-due: %v", err)
		}
	}
	if exemptions != "" {
		e.Exemptions = strings.Split(exemptions, ",")
	}
	st, err := env.Store()
	if err != nil {
		return err
	}
	if err := st.AddEvent(env.Ctx, &e); err != nil {
		return err
	}
	r, err := st.RequestByID(env.Ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "recorded %s on %s; request %d is now %s", e.Kind.Label(), e.Date, id, r.Status.Label())
	if !r.DueDate.IsZero() {
		fmt.Fprintf(env.Stdout, ", next date %s", r.DueDate.Long())
	}
	fmt.Fprintln(env.Stdout)
	return nil
}

func eventKindList() string {
	var k []string
	for _, e := range tracker.EventKinds {
		k = append(k, string(e.Kind))
	}
	return strings.Join(k, ", ")
}

func clip(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// deadlineList is every deadline that applies, in the order a person meets them.
func deadlineList(ds tracker.Deadlines) []tracker.Deadline {
	var out []tracker.Deadline
	for _, d := range []tracker.Deadline{ds.Response, ds.Extended, ds.LongOverdue, ds.ReviewAskBy, ds.ReviewDue,
		ds.ReviewDueMax, ds.ReviewExtended, ds.ReviewLongOverdue, ds.RegulatorWindow} {
		if !d.IsZero() && !d.Date.IsZero() {
			out = append(out, d)
		}
	}
	return out
}
