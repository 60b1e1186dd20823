// Package foitrack holds what the whole program shares from the repository
// root: the database schema, embedded so the binary carries it.
package foitrack

import _ "embed"

// Schema is schema.sql: the single source of the database schema, in
// versioned sections (see the file's header).
//
//go:embed schema.sql
var Schema string
