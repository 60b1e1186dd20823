package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/foitrack/foitrack/evidence"
)

func init() {
	register(command{"export bundle", "write an evidence bundle (zip) for a request or a timeline event", exportBundle})
	register(command{"verify", "check an evidence bundle, offline: hashes, audit entries, DKIM signatures", verifyBundle})
}

func exportBundle(env *Env, args []string) error {
	fs := newFlags(env, "export bundle", "(--request ID | --event ID|SLUG) [--confidential] -o FILE.zip")
	requestID := fs.Int64("request", 0, "the request to bundle (its documents, mail and events)")
	event := fs.String("event", "", "the timeline event to bundle (its number or id): what it is linked to")
	out := fs.String("o", "", "the zip file to write (required)")
	confidential := fs.Bool("confidential", false, "everything, private notes, reply addresses, withheld files and all mail included (for the team or a lawyer); the default is a public bundle: only what the public page may show")
	baseURL := fs.String("base-url", os.Getenv("FOITRACK_BASE_URL"), "public URL of this foitrack, for public requests' pages")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *out == "" || (*requestID == 0) == (*event == "") {
		return usagef("give --request ID or --event ID, and -o FILE.zip")
	}
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	kind, id := "request", *requestID
	if *event != "" {
		te, err := eventArg(env, st, *event)
		if err != nil {
			return err
		}
		kind, id = "event", te.ID
	}
	// Written whole to a temporary file, then renamed: never a half bundle.
	tmp, err := os.CreateTemp(filepath.Dir(*out), ".bundle-*.zip")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bk := evidence.Public
	if *confidential {
		bk = evidence.Confidential
	}
	m, err := evidence.Write(env.Ctx, st, tmp, kind, id, evidence.Options{BaseURL: *baseURL, Kind: bk})
	if err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), *out); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s: %s bundle, %d files (%d documents, %d messages, %d events), %d audit entries, audit head %d %s\n",
		*out, map[bool]string{true: "CONFIDENTIAL", false: "public"}[*confidential], len(m.Files), len(m.Documents), len(m.Messages), len(m.Events), len(m.Audit), m.AuditHead.ID, m.AuditHead.Hash)
	return nil
}

func verifyBundle(env *Env, args []string) error {
	fs := newFlags(env, "verify", "BUNDLE.zip (or the directory it was unzipped into)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give the bundle to check")
	}
	r, err := evidence.Verify(fs.Arg(0))
	if err != nil {
		return err
	}
	if m := r.Manifest; m != nil {
		fmt.Fprintf(env.Stdout, "%s bundle for %s %d: %s\nwritten %s by %s; audit head then: entry %d, sha256 %s\n",
			m.Kind, m.Scope.Kind, m.Scope.ID, m.Scope.Title, m.CreatedAt.Format("2006-01-02 15:04 MST"), m.CreatedBy, m.AuditHead.ID, m.AuditHead.Hash)
	}
	fmt.Fprintf(env.Stdout, "files: %d hashed\n", r.Files)
	fmt.Fprintf(env.Stdout, "audit entries: %d re-hashed, %d links between consecutive entries checked\n", r.AuditEntries, r.AuditLinks)
	for _, d := range r.DKIM {
		fmt.Fprintf(env.Stdout, "DKIM %s: d=%s s=%s: %s at ingest, %s now against the recorded key\n", d.File, d.Domain, d.Selector, d.AtIngest, d.Now)
	}
	fmt.Fprintf(env.Stdout, "documents found inside their signed message: %d\n", r.Attachments)
	if r.OK() {
		fmt.Fprintln(env.Stdout, "OK: the bundle is intact")
		return nil
	}
	fmt.Fprintln(env.Stdout)
	for _, p := range r.Problems {
		fmt.Fprintf(env.Stdout, "PROBLEM %s\n", p)
	}
	return fmt.Errorf("the bundle does not check out: %d problem(s); the first is in %s", len(r.Problems), r.Problems[0].File)
}
