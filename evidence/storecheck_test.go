package evidence_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/evidence"
	"github.com/foitrack/foitrack/internal/provtest"
	"github.com/foitrack/foitrack/store"
)

// Provenance columns of a message edited by hand are caught against its raw
// bytes; a swapped DKIM key or result against the signature itself.
func TestCheckStoredMailFindsEditedProvenance(t *testing.T) {
	dir := t.TempDir()
	ctx := context.Background()
	st, err := store.Open(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tr := provtest.Build(t, st)
	n, problems, err := evidence.CheckStoredMail(ctx, st)
	if err != nil || n != 1 || len(problems) != 0 {
		t.Fatalf("clean: %d checked, %v, %v", n, problems, err)
	}
	db, err := sql.Open("sqlite", "file:"+filepath.Join(dir, store.DefaultDBName)+"?_pragma=busy_timeout(5000)")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	other := provtest.NewKey(t, "met.example.gov.uk", "foi2026")
	for _, q := range []string{
		`UPDATE mail_messages SET received_chain = json_remove(received_chain, '$[1]') WHERE id = ?`,
		`UPDATE mail_messages SET from_addr = 'press@met.example.gov.uk' WHERE id = ?`,
		// A forger's key in place of the one served at ingest.
		`UPDATE mail_messages SET dkim = replace(dkim, '` + tr.Key.Record[len("v=DKIM1; k=ed25519; p="):] + `', '` + other.Record[len("v=DKIM1; k=ed25519; p="):] + `') WHERE id = ?`,
	} {
		if _, err := db.Exec(q, tr.MessageID); err != nil {
			t.Fatal(err)
		}
	}
	_, problems, err = evidence.CheckStoredMail(ctx, st)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range problems {
		got = append(got, p.String())
	}
	all := strings.Join(got, "\n")
	where := "mail_messages row " + itoa(tr.MessageID) + ": "
	for _, want := range []string{
		where + `received_chain is "from mx1.met.example.gov.uk`,
		where + `from_addr is "press@met.example.gov.uk", but the raw message`,
		where + "DKIM d=met.example.gov.uk s=foi2026 is recorded as pass, but the raw message checked against the recorded key gives fail",
	} {
		if !strings.Contains(all, want) {
			t.Errorf("missing %q in:\n%s", want, all)
		}
	}
}
