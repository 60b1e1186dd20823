package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/foitrack/foitrack/evidence"
	"github.com/foitrack/foitrack/internal/config"
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
	baseURL := fs.String("base-url", config.Getenv("FOITRACK_BASE_URL"), "public URL of this foitrack, for public requests' pages")
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
	fs := newFlags(env, "verify", "[--key VERIFIER] [--checkpoint LATER.txt [--proof PROOF.txt]] BUNDLE.zip (or the directory it was unzipped into)")
	key := fs.String("key", "", "the tracker's checkpoint verifier key (from its /audit page or `foitrack audit checkpoint`), or a file holding it: also check the checkpoint's signature")
	later := fs.String("checkpoint", "", "a checkpoint the tracker published later (GET /audit/checkpoint): check the log only grew since the bundle's")
	proof := fs.String("proof", "", "the consistency proof from the bundle's checkpoint to --checkpoint (foitrack audit prove-consistency)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("give the bundle to check")
	}
	if *proof != "" && *later == "" {
		return usagef("--proof needs --checkpoint, the later checkpoint it leads to")
	}
	opt := evidence.VerifyOptions{LaterName: *later, ProofName: *proof}
	var err error
	if opt.VerifierKey, err = verifierKeyArg(*key); err != nil {
		return err
	}
	if *later != "" {
		if opt.Later, err = readSmallFile(*later); err != nil {
			return err
		}
	}
	if *proof != "" {
		if opt.Proof, err = readSmallFile(*proof); err != nil {
			return err
		}
	}
	r, err := evidence.VerifyWith(fs.Arg(0), opt)
	if err != nil {
		return err
	}
	if m := r.Manifest; m != nil {
		fmt.Fprintf(env.Stdout, "%s bundle for %s %d: %s\nwritten %s by %s; audit head then: entry %d, sha256 %s\n",
			m.Kind, m.Scope.Kind, m.Scope.ID, m.Scope.Title, m.CreatedAt.Format("2006-01-02 15:04 MST"), m.CreatedBy, m.AuditHead.ID, m.AuditHead.Hash)
	}
	fmt.Fprintf(env.Stdout, "files: %d hashed\n", r.Files)
	if cp := r.Checkpoint; cp != nil {
		signed := "signature NOT checked (give --key VERIFIER from the tracker's /audit page)"
		if r.CheckpointSigned {
			signed = "signature checked with the key given"
		}
		fmt.Fprintf(env.Stdout, "checkpoint: %s, %d entries, root %s; %s\n", cp.Origin, cp.Size, cp.Root, signed)
	}
	fmt.Fprintf(env.Stdout, "audit entries: %d checked, %d with their opened fields and inclusion proof to the checkpoint intact\n", r.AuditEntries, r.AuditProven)
	if r.Consistent {
		fmt.Fprintf(env.Stdout, "later checkpoint %s: the log only grew since the bundle's checkpoint\n", *later)
	}
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

// verifierKeyArg reads --key: the key itself, or a file holding it.
func verifierKeyArg(v string) (string, error) {
	if v == "" || strings.Count(v, "+") >= 2 {
		return strings.TrimSpace(v), nil
	}
	b, err := readSmallFile(v)
	if err != nil {
		return "", err
	}
	return strings.TrimSpace(string(b)), nil
}

// readSmallFile reads a checkpoint, proof or key file (a few KiB at most).
func readSmallFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, 1<<20+1))
	if err != nil {
		return nil, err
	}
	if len(b) > 1<<20 {
		return nil, fmt.Errorf("%s: over 1 MiB: not a checkpoint, proof or key", path)
	}
	return b, nil
}
