package store

import (
	"context"
	"database/sql"
	"fmt"
	"sync"
)

// versionConn is the connection ExportVersion reads on: PRAGMA
// data_version counts the commits of every other connection, this
// process's and any other's (the CLI, a mail sync), on the connection it
// is read on, which itself never writes. database/sql's pool would hand
// out any of its connections, each counting on its own; a *sql.Conn is
// always the same one.
type versionConn struct {
	mu     sync.Mutex
	db     *sql.DB
	conn   *sql.Conn
	opened uint64 // connections opened so far
	closed bool
	export exportVersionCache // ExportVersion's last reading on conn
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

// dataVersion names the database's committed state as the version's
// connection sees it: PRAGMA data_version, which moves with every commit
// of any other connection (this process's writer, another process's), on
// the connection it was read on (conn: the number of connections the
// version has opened, as each counts on its own). Equal versions: nothing
// was committed between the two readings.
type dataVersion struct {
	conn uint64
	data int64
}

// dataVersion is the database's data version now.
func (s *Store) dataVersion(ctx context.Context) (dataVersion, error) {
	v := &s.version
	v.mu.Lock()
	defer v.mu.Unlock()
	var out dataVersion
	err := v.read(ctx, s.readerDSN, func(c *sql.Conn) error {
		out.conn = v.opened
		return c.QueryRowContext(ctx, `PRAGMA data_version`).Scan(&out.data)
	})
	if err != nil {
		return dataVersion{}, fmt.Errorf("store: unable to read the data version: %w", err)
	}
	return out, nil
}
