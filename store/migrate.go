package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/foitrack/foitrack"
)

// Migration is one section of schema.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

var sectionHeader = regexp.MustCompile(`(?m)^-- migrate:(\d+)[ \t]*(.*)$`)

// ParseMigrations splits a schema into its sections, in version order. Text
// before the first header is commentary and is ignored.
func ParseMigrations(schema string) ([]Migration, error) {
	locs := sectionHeader.FindAllStringSubmatchIndex(schema, -1)
	if len(locs) == 0 {
		return nil, fmt.Errorf("store: schema has no '-- migrate:N' sections")
	}
	var out []Migration
	seen := map[int]bool{}
	for i, loc := range locs {
		v, _ := strconv.Atoi(schema[loc[2]:loc[3]])
		end := len(schema)
		if i+1 < len(locs) {
			end = locs[i+1][0]
		}
		if v <= 0 || seen[v] {
			return nil, fmt.Errorf("store: schema section version %d is invalid or repeated", v)
		}
		seen[v] = true
		out = append(out, Migration{Version: v, Name: strings.TrimSpace(schema[loc[4]:loc[5]]), SQL: schema[loc[1]:end]})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	// Versions must run 1, 2, 3… with no gap: a database records only the
	// highest version it has, so a section numbered below a gap that was
	// filled later would never be applied to it.
	for i, m := range out {
		if m.Version != i+1 {
			return nil, fmt.Errorf("store: schema sections must be numbered 1, 2, 3… without a gap: found %d where %d belongs", m.Version, i+1)
		}
	}
	return out, nil
}

// LatestVersion is the schema version this binary writes.
func LatestVersion() int {
	ms, err := ParseMigrations(foitrack.Schema)
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// migrate brings db up to version target (0: the latest), each section in its
// own transaction together with the user_version bump, so a crash mid-upgrade
// leaves the database at a whole version.
func migrate(ctx context.Context, db *sql.DB, schema string, target int) error {
	ms, err := ParseMigrations(schema)
	if err != nil {
		return err
	}
	var current int
	if err := db.QueryRowContext(ctx, "PRAGMA user_version").Scan(&current); err != nil {
		return fmt.Errorf("store: unable to read schema version: %w", err)
	}
	latest := ms[len(ms)-1].Version
	if target == 0 {
		target = latest
	}
	if current > latest {
		return fmt.Errorf("store: the database is at schema version %d, newer than this foitrack (%d): upgrade foitrack", current, latest)
	}
	for _, m := range ms {
		if m.Version <= current || m.Version > target {
			continue
		}
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: unable to begin migration %d: %w", m.Version, err)
		}
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: unable to apply schema section %d (%s): %w", m.Version, m.Name, err)
		}
		// PRAGMA takes no bound parameters; the version is an int we parsed.
		if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.Version)); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: unable to record schema version %d: %w", m.Version, err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: unable to commit schema section %d: %w", m.Version, err)
		}
	}
	return nil
}
