package store

import (
	"context"
	"fmt"
	"testing"
)

// A statement run in one transaction is prepared after it and reused by the
// next ones, with the same results; scripts and statements beyond the bound
// are never kept.
func TestStatementCache(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	const ins = `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)`
	const get = `SELECT value FROM settings WHERE key = ?`
	for i := 0; i < 3; i++ {
		err := st.Update(ctx, func(tx *Tx) error {
			if _, err := tx.ExecContext(ctx, ins, fmt.Sprintf("k%d", i), fmt.Sprintf(`"v%d"`, i), "2026-01-01T00:00:00Z"); err != nil {
				return err
			}
			var v string
			if err := tx.QueryRowContext(ctx, get, fmt.Sprintf("k%d", i)).Scan(&v); err != nil {
				return err
			}
			if v != fmt.Sprintf(`"v%d"`, i) {
				t.Errorf("transaction %d read %s", i, v)
			}
			return nil
		})
		if err != nil {
			t.Fatalf("transaction %d: %v", i, err)
		}
		st.stmts.mu.Lock()
		cached := st.stmts.stmts[ins] != nil && st.stmts.stmts[get] != nil
		st.stmts.mu.Unlock()
		if !cached {
			t.Fatalf("after transaction %d the statements are not prepared", i)
		}
	}
	var n int
	if err := st.r.QueryRowContext(ctx, `SELECT count(*) FROM settings WHERE key LIKE 'k%'`).Scan(&n); err != nil || n != 3 {
		t.Fatalf("rows written: %d, %v; want 3", n, err)
	}

	// A script runs whole and is never prepared (that would run its first statement only).
	const script = `UPDATE settings SET value = '"a"' WHERE key = 'k0'; UPDATE settings SET value = '"b"' WHERE key = 'k1'`
	for i := 0; i < 2; i++ {
		if err := st.Update(ctx, func(tx *Tx) error { _, err := tx.ExecContext(ctx, script); return err }); err != nil {
			t.Fatal(err)
		}
	}
	var v string
	if err := st.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = 'k1'`).Scan(&v); err != nil || v != `"b"` {
		t.Errorf("second statement of the script: %s %v", v, err)
	}
	if st.stmts.stmts[script] != nil {
		t.Error("a script was prepared")
	}

	// Queries of every shape (IN lists of any length) do not grow it without end.
	err = st.Update(ctx, func(tx *Tx) error {
		for i := 0; i < maxCachedStmts+50; i++ {
			q := fmt.Sprintf(`SELECT count(*) FROM settings WHERE key IN ('x'%s)`, fmt.Sprintf(", 'k%d'", i))
			var c int
			if err := tx.QueryRowContext(ctx, q).Scan(&c); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.stmts.stmts) > maxCachedStmts {
		t.Errorf("%d statements kept, more than %d", len(st.stmts.stmts), maxCachedStmts)
	}
}
