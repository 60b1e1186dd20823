package main

import (
	"fmt"

	"github.com/foitrack/foitrack/evidence"
	"github.com/foitrack/foitrack/store"
)

func init() {
	register(command{"audit verify", "re-walk the audit chain, re-hash every stored file, check rows against the log", auditVerify})
	register(command{"audit head", "print the audit log's head hash (to publish or write down)", auditHead})
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
	fs := newFlags(env, "audit head", "")
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
	fmt.Fprintf(env.Stdout, "entry %d sha256 %s\n", id, head)
	return nil
}
