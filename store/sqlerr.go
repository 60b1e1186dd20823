package store

import (
	"errors"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// SQLite errors are told apart by their result code, never by their
// message text (which SQLite may reword, and which a value in a message
// could imitate).

// sqliteCode is err's extended SQLite result code, if it is an SQLite error.
func sqliteCode(err error) (int, bool) {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code(), true
	}
	return 0, false
}

// isUnique reports a UNIQUE or PRIMARY KEY constraint violation.
func isUnique(err error) bool {
	c, ok := sqliteCode(err)
	return ok && (c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY)
}

// isForeignKey reports a FOREIGN KEY constraint violation.
func isForeignKey(err error) bool {
	c, ok := sqliteCode(err)
	return ok && c == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// IsBusy reports that the database was locked by another connection or
// process for longer than the busy timeout.
func IsBusy(err error) bool {
	c, ok := sqliteCode(err)
	return ok && (c&0xff == sqlite3.SQLITE_BUSY || c&0xff == sqlite3.SQLITE_LOCKED)
}
