package main

import (
	"flag"
	"fmt"
	"strings"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

func init() {
	register(command{"censor add", "add a censor rule: text (or a pattern) replaced in everything public", censorAdd})
	register(command{"censor list", "list the censor rules", censorList})
	register(command{"censor delete", "delete a censor rule", censorDelete})
	register(command{"censor requester", "show or set the requester's own details (offered as censor rules, looked for before publishing)", censorRequester})
}

func censorAdd(env *Env, args []string) error {
	fs := newFlags(env, "censor add", "(--global | --authority ID | --request ID) [--regexp] [--replacement TEXT] [--note TEXT] PATTERN...\n\nOne rule per PATTERN, all added or none. The rule applies to the public request page, public evidence bundles, timeline exports and\npublic search: literal text is matched without regard to case or spacing; --regexp takes a\nGo regular expression. Nothing inside a published file is changed.")
	var r tracker.CensorRule
	global := fs.Bool("global", false, "apply everywhere")
	authority := fs.Int64("authority", 0, "apply to what is public about this authority's requests")
	request := fs.Int64("request", 0, "apply to what is public about this request")
	fs.BoolVar(&r.Regexp, "regexp", false, "PATTERN is a regular expression")
	fs.StringVar(&r.Replacement, "replacement", "", "what replaces it (default "+tracker.DefaultCensorReplacement+")")
	fs.StringVar(&r.Note, "note", "", "why (private)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	n := 0
	for _, set := range []bool{*global, *authority != 0, *request != 0} {
		if set {
			n++
		}
	}
	if n != 1 || fs.NArg() < 1 {
		return usagef("give one of --global, --authority ID or --request ID, and the text to replace")
	}
	switch {
	case *global:
		r.Scope = tracker.CensorGlobal
	case *authority != 0:
		r.Scope, r.ScopeID = tracker.CensorAuthority, *authority
	default:
		r.Scope, r.ScopeID = tracker.CensorRequest, *request
	}
	var rules []*tracker.CensorRule
	for _, p := range fs.Args() {
		one := r
		one.Pattern = p
		rules = append(rules, &one)
	}
	st, err := env.Store()
	if err != nil {
		return err
	}
	if err := st.AddCensorRules(env.Ctx, rules); err != nil {
		return err
	}
	for _, r := range rules {
		fmt.Fprintf(env.Stdout, "censor rule %d: %s\n", r.ID, describeRule(*r))
	}
	return nil
}

func describeRule(r tracker.CensorRule) string {
	where := r.Scope
	if r.ScopeID != 0 {
		where += fmt.Sprintf(" %d", r.ScopeID)
	}
	kind := "text"
	if r.Regexp {
		kind = "pattern"
	}
	return fmt.Sprintf("%s %q → %q (%s)", kind, r.Pattern, r.Replacement, where)
}

func censorList(env *Env, args []string) error {
	fs := newFlags(env, "censor list", "[--json]")
	asJSON := fs.Bool("json", false, "JSON output")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	rules, err := st.CensorRules(env.Ctx, "", 0)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env, rules)
	}
	if len(rules) == 0 {
		fmt.Fprintln(env.Stdout, "no censor rules")
	}
	for _, r := range rules {
		fmt.Fprintf(env.Stdout, "%d  %s%s\n", r.ID, describeRule(r), ifNote(r.Note))
	}
	return nil
}

func ifNote(n string) string {
	if n == "" {
		return ""
	}
	return "  # " + n
}

func censorDelete(env *Env, args []string) error {
	fs := newFlags(env, "censor delete", "ID")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id, err := idArg(fs, "censor rule")
	if err != nil {
		return err
	}
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	if err := st.DeleteCensorRule(env.Ctx, id); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "censor rule %d deleted\n", id)
	return nil
}

func censorRequester(env *Env, args []string) error {
	fs := newFlags(env, "censor requester", "[--name NAME] [--address 'LINE, LINE'] [--email ADDRESS] [--json]")
	name := fs.String("name", "", "the requester's name")
	address := fs.String("address", "", "the requester's postal address (lines separated by commas or newlines)")
	email := fs.String("email", "", "the requester's email address")
	asJSON := fs.Bool("json", false, "JSON output")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	st, err := env.Store()
	if err != nil {
		return err
	}
	d, err := st.GetRequesterDetails(env.Ctx)
	if err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	changed := false
	for _, f := range []struct {
		flag string
		v    string
		dst  *string
	}{{"name", *name, &d.Name}, {"address", *address, &d.Address}, {"email", *email, &d.Email}} {
		if set[f.flag] {
			*f.dst, changed = strings.TrimSpace(f.v), true
		}
	}
	if changed {
		var lines []string
		for _, l := range strings.FieldsFunc(d.Address, func(r rune) bool { return r == ',' || r == '\n' }) {
			if l = strings.TrimSpace(l); l != "" {
				lines = append(lines, l)
			}
		}
		d.Address = strings.Join(lines, "\n")
		if err := st.PutSetting(env.Ctx, store.RequesterDetailsSetting, d); err != nil {
			return err
		}
	}
	if *asJSON {
		return writeJSON(env, d)
	}
	fmt.Fprintf(env.Stdout, "name: %s\naddress: %s\nemail: %s\n", d.Name, strings.ReplaceAll(d.Address, "\n", ", "), d.Email)
	return nil
}
