package main

import (
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

func init() {
	register(command{"authority import", "import authorities from CSV (WhatDoTheyKnow layout or ours)", authorityImport})
	register(command{"authority list", "list authorities", authorityList})
	register(command{"authority export", "export authorities as CSV", authorityExport})
	register(command{"authority add", "add one authority", authorityAdd})
}

func authorityImport(env *Env, args []string) error {
	fs := newFlags(env, "authority import", "FILE.csv|-\n\nImports every row or none: a bad row is reported with its row number and nothing is imported.\nRows are matched to existing authorities by URL name, else by exact name, and updated.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give one CSV file (or - for standard input)")
	}
	var r io.Reader = env.Stdin
	if p := fs.Arg(0); p != "-" {
		f, err := os.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		r = f
	}
	list, err := tracker.ParseAuthoritiesCSV(r)
	if err != nil {
		return err
	}
	st, err := env.Store()
	if err != nil {
		return err
	}
	bar := newProgress(env, len(list), "importing authorities", false)
	res, err := st.ImportAuthorities(store.WithProgress(env.Ctx, bar.Set), list)
	bar.Finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %d authorities: %d new, %d updated, %d unchanged\n", len(list), res.Created, res.Updated, res.Unchanged)
	return nil
}

func authorityAdd(env *Env, args []string) error {
	fs := newFlags(env, "authority add", "--name NAME [options]")
	var a tracker.Authority
	var law, tags string
	fs.StringVar(&a.Name, "name", "", "full name (required)")
	fs.StringVar(&a.ShortName, "short", "", "short name")
	fs.StringVar(&a.Jurisdiction, "jurisdiction", "uk-england", "uk-england, uk-wales, uk-scotland, uk-ni, uk, us-federal, ie, au")
	fs.StringVar(&law, "law", "", "default law (default: from the jurisdiction)")
	fs.StringVar(&a.Email, "email", "", "FOI email address")
	fs.StringVar(&a.Website, "website", "", "home page")
	fs.StringVar(&tags, "tags", "", "comma-separated tags")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if strings.TrimSpace(a.Name) == "" {
		return usagef("--name is required")
	}
	if err := checkLawFlag(law); err != nil {
		return err
	}
	a.DefaultLaw, a.Tags = tracker.LawCode(law), []string{tags}
	st, err := env.Store()
	if err != nil {
		return err
	}
	if err := st.CreateAuthority(env.Ctx, &a); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "authority %d: %s (%s, %s)\n", a.ID, a.Name, a.Jurisdiction, a.DefaultLaw)
	return nil
}

func authorityList(env *Env, args []string) error {
	fs := newFlags(env, "authority list", "[--q TEXT] [--json]")
	q := fs.String("q", "", "search name, short name or email")
	asJSON := fs.Bool("json", false, "print JSON")
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
	list, err := st.Authorities(env.Ctx, store.AuthorityFilter{Query: *q})
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env, list)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tJURISDICTION\tLAW\tEMAIL\tTAGS")
	for _, a := range list {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\n", a.ID, a.Name, a.Jurisdiction, a.DefaultLaw, a.Email, strings.Join(a.Tags, " "))
	}
	return tw.Flush()
}

func authorityExport(env *Env, args []string) error {
	fs := newFlags(env, "authority export", "> authorities.csv")
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
	list, err := st.Authorities(env.Ctx, store.AuthorityFilter{})
	if err != nil {
		return err
	}
	return tracker.WriteAuthoritiesCSV(env.Stdout, list)
}

// resolveAuthority accepts an ID or a unique (part of a) name.
func resolveAuthority(env *Env, st *store.Store, ref string) (tracker.Authority, error) {
	if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
		return st.AuthorityByID(env.Ctx, id)
	}
	list, err := st.Authorities(env.Ctx, store.AuthorityFilter{Query: ref})
	if err != nil {
		return tracker.Authority{}, err
	}
	for _, a := range list {
		if strings.EqualFold(a.Name, ref) || strings.EqualFold(a.ShortName, ref) || a.URLName == ref {
			return a, nil
		}
	}
	switch len(list) {
	case 0:
		return tracker.Authority{}, tracker.Errorf(tracker.ENOTFOUND, "no authority matches %q", ref)
	case 1:
		return list[0], nil
	}
	var names []string
	for i, a := range list {
		if i == 5 {
			names = append(names, "…")
			break
		}
		names = append(names, fmt.Sprintf("%d %s", a.ID, a.Name))
	}
	return tracker.Authority{}, tracker.Errorf(tracker.EINVALID, "%q matches %d authorities (%s): give the ID", ref, len(list), strings.Join(names, "; "))
}
