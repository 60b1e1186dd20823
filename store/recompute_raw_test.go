package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"testing"
)

// TestRawValuesAreWhatScanGives: rawString and rawInt64, which convert
// the driver's values as readRecomputePage reads them, give what
// database/sql's Scan into a *string and an *int64 gave (the value, or an
// error), for every kind of value SQLite returns.
func TestRawValuesAreWhatScanGives(t *testing.T) {
	ctx := context.Background()
	db, err := sql.Open("sqlite", ":memory:")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	for _, q := range []string{`SELECT 42`, `SELECT -7`, `SELECT 'law'`, `SELECT ''`, `SELECT '12'`, `SELECT x'6869'`, `SELECT NULL`, `SELECT 2.5`, `SELECT 3.0`, `SELECT '2026-03-02'`} {
		var wantS string
		var wantI int64
		wantSErr := db.QueryRowContext(ctx, q).Scan(&wantS) != nil
		wantIErr := db.QueryRowContext(ctx, q).Scan(&wantI) != nil

		conn, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var v driver.Value
		err = conn.Raw(func(dc any) error {
			rows, err := dc.(driver.QueryerContext).QueryContext(ctx, q, nil)
			if err != nil {
				return err
			}
			defer rows.Close()
			dest := make([]driver.Value, 1)
			if err := rows.Next(dest); err != nil {
				return err
			}
			v = dest[0]
			return nil
		})
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		var gotS string
		var gotI int64
		gotSErr, gotIErr := rawString(&gotS, v) != nil, rawInt64(&gotI, v) != nil
		if gotS != wantS || gotSErr != wantSErr || gotI != wantI || gotIErr != wantIErr {
			t.Errorf("%s (%s): string %q (error %v), int64 %d (error %v); Scan gave %q (%v), %d (%v)", q, fmt.Sprintf("%T", v),
				gotS, gotSErr, gotI, gotIErr, wantS, wantSErr, wantI, wantIErr)
		}
	}
}
