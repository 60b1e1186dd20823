package tracker

import (
	"errors"
	"fmt"
	"strings"
)

// Error codes, after benbjohnson/wtf: the domain says what kind of failure it
// is, and only the HTTP and CLI layers turn a code into a status or exit code.
const (
	EINVALID      = "invalid"      // bad input from the user: show the message
	ENOTFOUND     = "not_found"    // no such thing
	ECONFLICT     = "conflict"     // the thing exists already, or the change clashes with its state
	EUNAUTHORIZED = "unauthorized" // no (valid) credentials
	EFORBIDDEN    = "forbidden"    // credentials, but not allowed
	ETOOLARGE     = "too_large"    // input over a configured limit
	ENOSPACE      = "no_space"     // the disk is full: nothing was saved
	EINTERNAL     = "internal"     // our fault: log it, show a generic message
)

// Error is a domain error with a code and a message fit for the user.
type Error struct {
	Code    string
	Message string
	// Fields holds per-field messages for forms (field name -> message).
	Fields map[string]string
}

func (e *Error) Error() string { return e.Message }

// On ties the error to the form fields (the event's JSON names) it is
// about, with its message, so that a form shows it beside them.
func (e *Error) On(fields ...string) *Error {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	for _, f := range fields {
		e.Fields[f] = e.Message
	}
	return e
}

// Errorf returns an *Error with the given code.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL for
// any other non-nil error, and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err; internal errors get a
// generic message so that nothing about the system leaks.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ValidationError collects per-field messages; Err returns nil when there are none.
type ValidationError struct{ fields map[string]string }

// Add records msg against field (the first message for a field wins).
func (v *ValidationError) Add(field, msg string) {
	if v.fields == nil {
		v.fields = map[string]string{}
	}
	if _, ok := v.fields[field]; !ok {
		v.fields[field] = msg
	}
}

// Err returns an EINVALID *Error listing every field message, or nil.
func (v *ValidationError) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	msg := "Please correct the highlighted fields."
	if len(v.fields) == 1 {
		for f, m := range v.fields {
			msg = strings.ReplaceAll(f, "_", " ") + ": " + m // a form field's name, read as words
		}
	}
	return &Error{Code: EINVALID, Message: msg, Fields: v.fields}
}
