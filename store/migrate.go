package store

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/foitrack/foitrack"
)

// Migration is one section of schema.sql.
type Migration struct {
	Version int
	Name    string
	SQL     string
	// ForeignKeysOff: the section rebuilds tables ("-- migrate:N name
	// [foreign_keys=off]"), so it runs with foreign key enforcement off —
	// dropping a table with it on would cascade-delete every row that
	// refers to it — and is refused unless PRAGMA foreign_key_check finds
	// nothing before it commits.
	ForeignKeysOff bool
	// Fill is the section's Go step (migrationFills), run in its
	// transaction after its SQL: what SQL cannot work out of the rows.
	Fill func(ctx context.Context, tx *sql.Tx) error
}

// migrationFills are the Go steps of the embedded schema's sections, by the
// section's name (a number changes when sections are renumbered; a name
// with no section is refused, so a step is never silently left out).
var migrationFills = map[string]func(ctx context.Context, tx *sql.Tx) error{
	"timeline front matter kept parsed": fillTimelineNodes,
}

var (
	sectionHeader = regexp.MustCompile(`(?m)^-- migrate:(\d+)[ \t]*(.*)$`)
	fkOffMarker   = regexp.MustCompile(`\s*\[foreign_keys=off\]\s*$`)
	// dropTable finds a DROP TABLE outside comments' lines.
	dropTable = regexp.MustCompile(`(?im)^[^-\n]*\bDROP\s+TABLE\b`)
)

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
		m := Migration{Version: v, Name: strings.TrimSpace(schema[loc[4]:loc[5]]), SQL: schema[loc[1]:end]}
		if fkOffMarker.MatchString(m.Name) {
			m.Name, m.ForeignKeysOff = fkOffMarker.ReplaceAllString(m.Name, ""), true
		} else if dropTable.MatchString(m.SQL) {
			// The safety net: a rebuild without the marker would lose rows.
			return nil, fmt.Errorf("store: schema section %d (%s) drops a table: mark it [foreign_keys=off] (see the head of schema.sql)", v, m.Name)
		}
		out = append(out, m)
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

// embeddedMigrations is schema.sql's sections, parsed once: every Open
// reads them, and a command that runs in a few milliseconds spent most of
// its time splitting the same text again.
var embeddedMigrations struct {
	once sync.Once
	ms   []Migration
	err  error
}

// migrationsOf is ParseMigrations, from the parsed copy for the embedded
// schema. Callers must not change the slice.
func migrationsOf(schema string) ([]Migration, error) {
	if schema != foitrack.Schema {
		return ParseMigrations(schema)
	}
	embeddedMigrations.once.Do(func() {
		embeddedMigrations.ms, embeddedMigrations.err = withFills(ParseMigrations(foitrack.Schema))
	})
	return embeddedMigrations.ms, embeddedMigrations.err
}

// withFills gives the sections their Go steps.
func withFills(ms []Migration, err error) ([]Migration, error) {
	if err != nil {
		return nil, err
	}
	used := 0
	for i := range ms {
		if f := migrationFills[ms[i].Name]; f != nil {
			ms[i].Fill = f
			used++
		}
	}
	if used != len(migrationFills) {
		return nil, fmt.Errorf("store: a Go step of the schema names no section (%d of %d found)", used, len(migrationFills))
	}
	return ms, nil
}

// LatestVersion is the schema version this binary writes.
func LatestVersion() int {
	ms, err := migrationsOf(foitrack.Schema)
	if err != nil || len(ms) == 0 {
		return 0
	}
	return ms[len(ms)-1].Version
}

// migrate brings db up to version target (0: the latest), each section in its
// own transaction together with the user_version bump, so a crash mid-upgrade
// leaves the database at a whole version.
func migrate(ctx context.Context, db *sql.DB, schema string, target int) error {
	ms, err := migrationsOf(schema)
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
	// One connection for the whole upgrade: PRAGMA foreign_keys is a
	// property of the connection, and it cannot change inside a transaction.
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("store: unable to open a connection to migrate: %w", err)
	}
	defer conn.Close()
	for _, m := range ms {
		if m.Version <= current || m.Version > target {
			continue
		}
		if err := applyMigration(ctx, conn, m); err != nil {
			return err
		}
	}
	return nil
}

// applyMigration runs one section and records its version in one
// transaction; a [foreign_keys=off] section runs with enforcement off and
// must leave no dangling reference.
func applyMigration(ctx context.Context, conn *sql.Conn, m Migration) (err error) {
	if m.ForeignKeysOff {
		if _, err := conn.ExecContext(ctx, `PRAGMA foreign_keys = OFF`); err != nil {
			return fmt.Errorf("store: unable to turn foreign keys off for schema section %d: %w", m.Version, err)
		}
		defer func() {
			if _, ferr := conn.ExecContext(ctx, `PRAGMA foreign_keys = ON`); ferr != nil && err == nil {
				err = fmt.Errorf("store: unable to turn foreign keys back on after schema section %d: %w", m.Version, ferr)
			}
		}()
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: unable to begin migration %d: %w", m.Version, err)
	}
	defer tx.Rollback() // a no-op after Commit
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return fmt.Errorf("store: unable to apply schema section %d (%s): %w", m.Version, m.Name, err)
	}
	if m.Fill != nil {
		if err := m.Fill(ctx, tx); err != nil {
			return fmt.Errorf("store: unable to apply schema section %d (%s): %w", m.Version, m.Name, err)
		}
	}
	if m.ForeignKeysOff {
		rows, err := tx.QueryContext(ctx, `PRAGMA foreign_key_check`)
		if err != nil {
			return fmt.Errorf("store: unable to check foreign keys after schema section %d: %w", m.Version, err)
		}
		var dangling []string
		for rows.Next() {
			var table, parent string
			var rowid sql.NullInt64
			var fkid int
			if err := rows.Scan(&table, &rowid, &parent, &fkid); err != nil {
				rows.Close()
				return fmt.Errorf("store: unable to check foreign keys after schema section %d: %w", m.Version, err)
			}
			dangling = append(dangling, fmt.Sprintf("%s row %d → %s", table, rowid.Int64, parent))
		}
		rows.Close()
		if len(dangling) > 0 {
			return fmt.Errorf("store: schema section %d (%s) would leave %d rows referring to nothing (%s): not applied",
				m.Version, m.Name, len(dangling), strings.Join(dangling[:min(3, len(dangling))], "; "))
		}
	}
	// PRAGMA takes no bound parameters; the version is an int we parsed.
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", m.Version)); err != nil {
		return fmt.Errorf("store: unable to record schema version %d: %w", m.Version, err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("store: unable to commit schema section %d: %w", m.Version, err)
	}
	return nil
}
