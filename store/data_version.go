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
