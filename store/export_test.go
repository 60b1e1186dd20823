package store

import "database/sql"

// Writer lets tests change rows the way no code path of foitrack does yet
// (a raw DELETE), to check that triggers follow every change.
func (s *Store) Writer() *sql.DB { return s.w }
