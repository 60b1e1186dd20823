package store

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
)

// TestSQLiteErrorsByCode: constraint violations are recognised by their
// SQLite result code; an error that only says the words is not one.
func TestSQLiteErrorsByCode(t *testing.T) {
	ctx := context.Background()
	st, err := Open(ctx, filepath.Join(t.TempDir(), "d"))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.w.Exec(`CREATE TABLE p (id INTEGER PRIMARY KEY, u TEXT UNIQUE); CREATE TABLE c (p INTEGER REFERENCES p (id)); INSERT INTO p VALUES (1, 'a')`); err != nil {
		t.Fatal(err)
	}
	_, uerr := st.w.Exec(`INSERT INTO p VALUES (2, 'a')`)
	_, pkerr := st.w.Exec(`INSERT INTO p VALUES (1, 'b')`)
	_, fkerr := st.w.Exec(`INSERT INTO c VALUES (9)`)
	if !isUnique(uerr) || !isUnique(pkerr) || isForeignKey(uerr) {
		t.Errorf("unique: %v / %v", uerr, pkerr)
	}
	if !isForeignKey(fkerr) || isUnique(fkerr) {
		t.Errorf("foreign key: %v", fkerr)
	}
	if isUnique(errors.New("UNIQUE constraint failed: p.u")) || isForeignKey(errors.New("FOREIGN KEY constraint failed")) || IsBusy(errors.New("database is locked")) {
		t.Errorf("a plain error with the words was taken for an SQLite error")
	}
}
