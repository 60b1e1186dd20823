package main

import (
	"fmt"
	"text/tabwriter"

	"github.com/foitrack/foitrack/tracker"
)

func init() {
	register(command{"exemptions", "the exemptions catalogue, per law", exemptions})
}

func exemptions(env *Env, args []string) error {
	fs := newFlags(env, "exemptions", "[--law CODE] [--json]")
	law := fs.String("law", "", "only this law (uk-foia, uk-eir, scot-foisa, scot-eisr, us-foia, ie-foi, au-foi)")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	var list []tracker.Exemption
	if *law != "" {
		if _, ok := tracker.LawByCode(tracker.LawCode(*law)); !ok {
			return usagef("unknown law %q", *law)
		}
		list = tracker.Exemptions(tracker.LawCode(*law))
	} else {
		list = tracker.AllExemptions()
	}
	if *asJSON {
		return writeJSON(env, list)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "LAW\tCODE\tKIND\tTITLE")
	for _, e := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", e.Law, e.Code, e.Kind, e.Title)
	}
	return tw.Flush()
}
