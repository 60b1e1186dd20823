package store

import (
	"context"
	"testing"
)

// An entry undone by a rollback to a savepoint (markOutgoingSent rolls back
// an event that failed after it was audited) is not the head of the chain
// nor a leaf of the tree for the entries after it: the chain and the tree
// still verify.
// The same in a batch (UpdateBatch), which keeps its entries back until a
// savepoint or the commit.
func TestAuditAfterRollbackToSavepoint(t *testing.T) {
	for _, batch := range []bool{false, true} {
		ctx := context.Background()
		st, err := Open(ctx, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		update := st.Update
		if batch {
			update = st.UpdateBatch
		}
		auditAfterRollbackToSavepoint(t, st, update)
		var actions string
		if err := st.r.QueryRowContext(ctx, `SELECT group_concat(action, ' ') FROM (SELECT action FROM audit_log ORDER BY id)`).Scan(&actions); err != nil {
			t.Fatal(err)
		}
		if actions != "first kept" {
			t.Errorf("batch %v: entries %q, want \"first kept\"", batch, actions)
		}
	}
}

func auditAfterRollbackToSavepoint(t *testing.T, st *Store, update func(context.Context, func(*Tx) error) error) {
	ctx := context.Background()
	err := update(ctx, func(tx *Tx) error {
		if err := tx.Audit("first", "test", 1, nil, 1); err != nil {
			return err
		}
		for _, q := range []string{`SAVEPOINT sp`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		if err := tx.Audit("undone", "test", 1, nil, 2); err != nil {
			return err
		}
		for _, q := range []string{`ROLLBACK TO sp`, `RELEASE sp`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return tx.Audit("kept", "test", 1, nil, 3)
	})
	if err != nil {
		t.Fatal(err)
	}
	n, brk, err := st.VerifyAuditChain(ctx)
	if err != nil || brk != nil {
		t.Fatalf("chain of %d entries: %v %v", n, brk, err)
	}
	size, problems, err := st.VerifyAuditTree(ctx)
	if err != nil || len(problems) > 0 {
		t.Fatalf("tree of %d leaves: %v %v", size, problems, err)
	}
}
