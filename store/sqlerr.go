package store

import (
	"errors"
	"syscall"

	"github.com/foitrack/foitrack/tracker"

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

// NoSpaceMessage is what a person reads when the disk is full.
const NoSpaceMessage = "No space left on device: nothing was saved. Free some space on the disk that holds foitrack's data directory, then try again."

// isDiskFull reports a full disk: SQLite's SQLITE_FULL, or ENOSPC (or a
// quota's EDQUOT) from writing a stored file.
func isDiskFull(err error) bool {
	if c, ok := sqliteCode(err); ok && c&0xff == sqlite3.SQLITE_FULL {
		return true
	}
	return errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

// noSpace turns a full disk, wherever it was met, into the one ENOSPACE
// error (the page says 507, the command line exits 1 with NoSpaceMessage);
// any other error is returned as it is.
func noSpace(err error) error {
	if err != nil && tracker.ErrorCode(err) == tracker.EINTERNAL && isDiskFull(err) {
		return &tracker.Error{Code: tracker.ENOSPACE, Message: NoSpaceMessage}
	}
	return err
}
