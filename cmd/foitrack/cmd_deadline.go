package main

import (
	"fmt"

	"github.com/foitrack/foitrack/tracker"
)

func init() {
	register(command{"deadline", "stand-alone statutory deadline calculator", deadline})
}

// deadlineResult is the stable JSON of `foitrack deadline --json`.
type deadlineResult struct {
	Law                    tracker.LawCode   `json:"law"`
	Received               string            `json:"received"`
	Due                    string            `json:"due"` // the due date in force, YYYY-MM-DD ("" while the clock is stopped)
	Explanation            string            `json:"explanation"`
	StatutoryDue           string            `json:"statutory_due"`
	LongOverdue            string            `json:"long_overdue"`
	LongOverdueExplanation string            `json:"long_overdue_explanation"`
	Warnings               []string          `json:"warnings"`
	Deadlines              tracker.Deadlines `json:"deadlines"`
}

func deadline(env *Env, args []string) error {
	fs := newFlags(env, "deadline", "--law CODE --received YYYY-MM-DD [options] [--json]\n\nLaw codes: uk-foia, uk-eir, scot-foisa, scot-eisr, us-foia, ie-foi, au-foi.")
	law := fs.String("law", "", "law code (required)")
	received := fs.String("received", "", "the date the authority received the request (required)")
	clarReq := fs.String("clarification-requested", "", "the date the authority asked for clarification")
	clarRec := fs.String("clarification-received", "", "the date the authority received the clarification")
	feeNotice := fs.String("fee-notice", "", "the date a fees notice was given")
	feePaid := fs.String("fee-paid", "", "the date the fee was received")
	extension := fs.String("extension", "", "\"unusual\" for the law's fixed extension (US: +10 working days), or a new due date YYYY-MM-DD")
	asJSON := fs.Bool("json", false, "print a JSON object (due as YYYY-MM-DD)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *law == "" || *received == "" {
		return usagef("--law and --received are required")
	}
	if err := checkLawFlag(*law); err != nil {
		return err
	}
	in := tracker.CalculatorInput{Law: tracker.LawCode(*law)}
	dates := []struct {
		flag, val string
		dst       *tracker.Date
	}{
		{"--received", *received, &in.Received},
		{"--clarification-requested", *clarReq, &in.ClarificationRequested},
		{"--clarification-received", *clarRec, &in.ClarificationReceived},
		{"--fee-notice", *feeNotice, &in.FeeNotice},
		{"--fee-paid", *feePaid, &in.FeePaid},
	}
	for _, d := range dates {
		if d.val == "" {
			continue
		}
		v, err := tracker.ParseDate(d.val)
		if err != nil {
			return usagef("%s: %v", d.flag, err)
		}
		*d.dst = v
	}
	switch *extension {
	case "":
	case "unusual":
		in.Unusual = true
	default:
		v, err := tracker.ParseDate(*extension)
		if err != nil {
			return usagef("--extension: want \"unusual\" or a date YYYY-MM-DD, got %q", *extension)
		}
		in.ExtendedTo = v
	}
	ds, err := tracker.Calculate(in)
	if err != nil {
		return err
	}
	cur := ds.Current()
	res := deadlineResult{Law: in.Law, Received: in.Received.String(), Due: cur.Date.String(), Explanation: cur.Explanation,
		StatutoryDue: ds.Response.Date.String(), LongOverdue: ds.LongOverdue.Date.String(),
		LongOverdueExplanation: ds.LongOverdue.Explanation, Warnings: ds.Warnings, Deadlines: ds}
	if res.Warnings == nil {
		res.Warnings = []string{}
	}
	if *asJSON {
		return writeJSON(env, res)
	}
	w := env.Stdout
	l, _ := tracker.LawByCode(in.Law)
	fmt.Fprintf(w, "%s — received %s\n\n", l.Name, in.Received.Long())
	if cur.Date.IsZero() {
		fmt.Fprintf(w, "Due:           — (the clock is stopped)\n")
	} else {
		fmt.Fprintf(w, "Due:           %s\n", cur.Date.Long())
	}
	fmt.Fprintf(w, "               %s\n", cur.Explanation)
	if !ds.LongOverdue.Date.IsZero() {
		fmt.Fprintf(w, "Long overdue:  after %s\n               %s\n", ds.LongOverdue.Date.Long(), ds.LongOverdue.Explanation)
	}
	for _, warn := range ds.Warnings {
		fmt.Fprintf(w, "Warning:       %s\n", warn)
	}
	return nil
}
