package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// DataVersion says whether the database has changed: two values read from
// the same Store are equal only if no transaction was committed in between,
// by this process (any of its connections) or any other (the CLI, a mail
// sync). It is SQLite's PRAGMA data_version, read on one connection kept for
// it, which itself never writes: that value changes whenever another
// connection commits. Values are not comparable across Stores or restarts.
type DataVersion struct {
	conn uint64 // which connection read it: a new one counts afresh
	n    int64
}

// versionConn is the connection DataVersion reads on. database/sql's pool
// would hand out any of its connections, each counting on its own; a
// *sql.Conn is always the same one.
type versionConn struct {
	mu     sync.Mutex
	db     *sql.DB
	conn   *sql.Conn
	opened uint64 // connections opened so far
	closed bool
	export exportVersionCache // ExportVersion's last reading on conn
}

// DataVersion returns the database's version now (see DataVersion).
func (s *Store) DataVersion(ctx context.Context) (DataVersion, error) {
	v := &s.version
	v.mu.Lock()
	defer v.mu.Unlock()
	var n int64
	err := v.read(ctx, s.readerDSN, func(c *sql.Conn) error {
		return c.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&n)
	})
	if err != nil {
		return DataVersion{}, fmt.Errorf("store: unable to read the data version: %w", err)
	}
	return DataVersion{conn: v.opened, n: n}, nil
}

// read runs f on the version's connection, opened if it is not; v.mu is
// held. After an error the connection is closed: the next is counted
// afresh (its numbers say nothing about this one's).
func (v *versionConn) read(ctx context.Context, dsn string, f func(*sql.Conn) error) error {
	if v.closed {
		return fmt.Errorf("the store is closed")
	}
	if v.conn == nil {
		if v.db == nil {
			db, err := sql.Open("sqlite", dsn)
			if err != nil {
				return fmt.Errorf("unable to open its connection: %w", err)
			}
			db.SetMaxOpenConns(1)
			v.db = db
		}
		conn, err := v.db.Conn(ctx)
		if err != nil {
			return fmt.Errorf("unable to open its connection: %w", err)
		}
		v.conn = conn
		v.opened++
		v.export = exportVersionCache{}
	}
	if err := f(v.conn); err != nil {
		v.conn.Close()
		v.conn = nil
		return err
	}
	return nil
}

func (v *versionConn) close() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.closed = true
	var err error
	if v.conn != nil {
		err = v.conn.Close()
		v.conn = nil
	}
	if v.db != nil {
		if e := v.db.Close(); err == nil {
			err = e
		}
		v.db = nil
	}
	return err
}
