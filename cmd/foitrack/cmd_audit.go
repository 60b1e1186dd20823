package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"

	"github.com/foitrack/foitrack/evidence"
	"github.com/foitrack/foitrack/internal/config"
	"github.com/foitrack/foitrack/store"
)

func init() {
	register(command{"audit verify", "re-walk the audit chain, re-hash every stored file, check rows against the log", auditVerify})
	register(command{"audit head", "print the audit log's head hash (to publish or write down)", auditHead})
	register(command{"audit checkpoint", "sign a checkpoint of the audit log's transparency log; print it and the verifier key", auditCheckpoint})
	register(command{"audit prove-consistency", "prove that a later checkpoint's log extends an earlier one's (nothing rewritten)", auditProveConsistency})
	addBackgroundJob(BackgroundJob{Name: "audit checkpoint", Spec: checkpointSpec, Run: runCheckpoint})
}

// CheckpointScheduleSetting is the setting (and FOITRACK_CHECKPOINT_SCHEDULE
// the environment override) of serve's checkpoint schedule: cron, or "off".
const CheckpointScheduleSetting = "audit_checkpoint_schedule"

// defaultCheckpointSchedule signs one an hour (when the log grew).
const defaultCheckpointSchedule = "0 * * * *"

func checkpointSpec(ctx context.Context, st *store.Store) (string, error) {
	var stored string
	if _, err := st.GetSetting(ctx, CheckpointScheduleSetting, &stored); err != nil {
		return "", err
	}
	spec, _ := config.Resolve("checkpoint.schedule", stored)
	if spec == "off" {
		return "", nil
	}
	return spec, nil
}

// runCheckpoint signs a checkpoint when the log grew since the last one.
func runCheckpoint(ctx context.Context, st *store.Store, log *slog.Logger) error {
	before, had, err := st.LatestCheckpoint(ctx)
	if err != nil {
		return err
	}
	cp, err := st.CurrentCheckpoint(ctx)
	if err != nil {
		return err
	}
	if !had || cp.ID != before.ID {
		log.Info("audit checkpoint signed", "entries", cp.Size, "root", cp.Root.String())
	}
	return nil
}

// auditCheckpoint signs a checkpoint of the whole log (refusing when a row
// no longer matches its leaf) and prints it with the verifier key.
func auditCheckpoint(env *Env, args []string) error {
	fs := newFlags(env, "audit checkpoint", "[-o FILE]\n\nSigns a checkpoint of the audit log's transparency log (a C2SP signed note) with the\nkey in the data directory (made on first use, mode 0600), stores it (the latest is served at\n/audit/checkpoint) and prints it, or writes it to FILE, with the verifier key to publish.")
	out := fs.String("o", "", "write the checkpoint to this file instead of standard output")
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
	cp, err := st.SignCheckpoint(env.Ctx)
	if err != nil {
		return err
	}
	vkey, err := st.CheckpointVerifierKey()
	if err != nil {
		return err
	}
	if *out != "" {
		if err := os.WriteFile(*out, []byte(cp.Note), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "checkpoint %d: %d entries, root %s, written to %s\n", cp.ID, cp.Size, cp.Root, *out)
	} else {
		fmt.Fprint(env.Stdout, cp.Note)
	}
	fmt.Fprintf(env.Stdout, "verifier key: %s\n", vkey)
	return nil
}

// auditProveConsistency writes the proof that NEW's log is OLD's with
// entries appended, or fails when the log was rewritten.
func auditProveConsistency(env *Env, args []string) error {
	fs := newFlags(env, "audit prove-consistency", "OLD-CHECKPOINT NEW-CHECKPOINT [-o FILE]\n\nProves, from this tracker's log, that the log NEW-CHECKPOINT signed is the log OLD-CHECKPOINT\nsigned with entries appended; the proof is checked by 'foitrack verify --checkpoint NEW --proof FILE'.\nIt fails when the log's first entries no longer hash to a checkpoint's root (the log was rewritten).")
	out := fs.String("o", "", "write the proof to this file instead of standard output")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("give the older checkpoint file, then the newer")
	}
	var cps [2]store.Checkpoint
	for i := range cps {
		b, err := readSmallFile(fs.Arg(i))
		if err != nil {
			return err
		}
		if cps[i], err = store.ParseCheckpoint(b); err != nil {
			return fmt.Errorf("%s: %v", fs.Arg(i), err)
		}
	}
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	vkey, err := st.CheckpointVerifierKey()
	if err != nil {
		return err
	}
	for i, cp := range cps {
		if _, err := store.OpenCheckpoint([]byte(cp.Note), vkey); err != nil {
			return fmt.Errorf("%s is not this tracker's checkpoint: %v", fs.Arg(i), err)
		}
	}
	p, err := st.ProveConsistency(env.Ctx, cps[0], cps[1])
	if err != nil {
		return err
	}
	if *out != "" {
		if err := os.WriteFile(*out, []byte(p.String()), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "consistency proof from %d to %d entries written to %s\n", p.OldSize, p.NewSize, *out)
		return nil
	}
	fmt.Fprint(env.Stdout, p.String())
	return nil
}

// auditVerify checks, in order: the hash chain of the audit log; every
// stored document and raw message against its sha256; every audited row
// against the values its last audit entry recorded; and each message's
// provenance columns against its raw bytes and recorded DKIM keys. It prints the first
// problem found as the broken link, then every other, and fails if any.
func auditVerify(env *Env, args []string) error {
	fs := newFlags(env, "audit verify", "")
	quiet := fs.Bool("quiet", false, "no progress on stderr")
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
	var problems []store.Problem

	n, brk, err := st.VerifyAuditChain(env.Ctx)
	if err != nil {
		return err
	}
	head, headID, err := st.AuditHead(env.Ctx)
	if err != nil {
		return err
	}
	if brk != nil {
		problems = append(problems, store.Problem{Where: fmt.Sprintf("audit entry %d", brk.EntryID), Detail: brk.Reason})
		fmt.Fprintf(env.Stdout, "audit log: BROKEN at entry %d (%d entries before it hold)\n", brk.EntryID, n)
	} else {
		fmt.Fprintf(env.Stdout, "audit log: %d entries, chain intact; head entry %d, sha256 %s\n", n, headID, head)
	}

	// A bar on a terminal only: a pipe or a log gets no \r.
	bar := newProgress(env, -1, "re-hashing stored files", *quiet)
	fc, err := st.VerifyStoredFiles(env.Ctx, bar.Set)
	bar.Finish()
	if err != nil {
		return err
	}
	problems = append(problems, fc.Problems...)
	if len(fc.Problems) == 0 {
		fmt.Fprintf(env.Stdout, "stored files: %d re-hashed, all intact\n", fc.Blobs)
	} else {
		fmt.Fprintf(env.Stdout, "stored files: %d re-hashed, %d problems\n", fc.Blobs, len(fc.Problems))
	}

	// Partial files a killed run left while writing a blob: never named by
	// any row, removed when the store was opened (here, or by any process).
	if in := st.Incoming; in.Removed > 0 || in.Kept > 0 {
		fmt.Fprintf(env.Stdout, "partial files: %d left by a killed run were removed (%d bytes); %d still being written by a running process\n",
			in.Removed, in.RemovedBytes, in.Kept)
	} else {
		fmt.Fprintln(env.Stdout, "partial files: none left by a killed run")
	}

	leaves, tp, err := st.VerifyAuditTree(env.Ctx)
	if err != nil {
		return err
	}
	problems = append(problems, tp...)
	if len(tp) == 0 {
		fmt.Fprintf(env.Stdout, "transparency log: %d leaves recomputed from their rows, all match; every checkpoint signed is a prefix of it\n", leaves)
	} else {
		fmt.Fprintf(env.Stdout, "transparency log: %d leaves, %d problems\n", leaves, len(tp))
	}

	rows, rp, err := st.VerifyRows(env.Ctx)
	if err != nil {
		return err
	}
	problems = append(problems, rp...)
	if len(rp) == 0 {
		fmt.Fprintf(env.Stdout, "rows: %d checked against the audit log, all match\n", rows)
	} else {
		fmt.Fprintf(env.Stdout, "rows: %d checked against the audit log, %d differ\n", rows, len(rp))
	}

	msgs, mp, err := evidence.CheckStoredMail(env.Ctx, st)
	if err != nil {
		return err
	}
	problems = append(problems, mp...)
	if len(mp) == 0 {
		fmt.Fprintf(env.Stdout, "mail provenance: %d messages re-read from their raw bytes (sender, Date, Message-ID, Received, DKIM), all match\n", msgs)
	} else {
		fmt.Fprintf(env.Stdout, "mail provenance: %d messages re-read from their raw bytes, %d differences\n", msgs, len(mp))
	}

	if len(problems) == 0 {
		return nil
	}
	fmt.Fprintf(env.Stdout, "\nFirst broken link: %s\n", problems[0])
	for _, p := range problems[1:] {
		fmt.Fprintf(env.Stdout, "also: %s\n", p)
	}
	return fmt.Errorf("integrity check failed: %d problem(s), the first at %s", len(problems), problems[0].Where)
}

func auditHead(env *Env, args []string) error {
	fs := newFlags(env, "audit head", "[--json]")
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
	head, id, err := st.AuditHead(env.Ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env, struct {
			Entry  int64  `json:"entry"`
			SHA256 string `json:"sha256"`
		}{id, head})
	}
	fmt.Fprintf(env.Stdout, "entry %d sha256 %s\n", id, head)
	return nil
}
