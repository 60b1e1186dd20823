package store

import (
	"context"
	"fmt"

	"github.com/foitrack/foitrack/tracker"
)

// Deleting is for mistakes: a document attached to the wrong request, an
// authority added twice. Each deletion is an audit entry holding the whole
// row (its "before"), together with an entry for everything that goes with
// it (the document's timeline links, its publication), so `audit verify`
// accounts for every row that went and the log still says what was there.
// A stored file stays in the blob store: it is content-addressed and may be
// the raw mail or another document too.

// DeleteDocument deletes a document, its exemption claims, its timeline
// links and its publication.
func (s *Store) DeleteDocument(ctx context.Context, id int64) (tracker.Document, error) {
	var before tracker.Document
	err := s.Update(ctx, func(tx *Tx) error {
		var err error
		before, err = tx.deleteDocument(id)
		return err
	})
	return before, err
}

// deleteDocument is DeleteDocument in the caller's transaction.
func (tx *Tx) deleteDocument(id int64) (tracker.Document, error) {
	before, err := tx.documentByID(id)
	if err != nil {
		return before, err
	}
	links, err := tx.linkRows(`l.document_id = ?`, id)
	if err != nil {
		return before, err
	}
	for _, l := range links {
		if err := tx.deleteLink(l); err != nil {
			return before, err
		}
	}
	if err := tx.unpublishDocument(before); err != nil {
		return before, err
	}
	if _, err := tx.ExecContext(tx.ctx, `DELETE FROM documents WHERE id = ?`, id); err != nil {
		return before, fmt.Errorf("store: unable to delete document: %w", err)
	}
	return before, tx.Audit("delete", "document", id, before, nil)
}

// DeleteAuthority deletes an authority that no request is addressed to.
func (s *Store) DeleteAuthority(ctx context.Context, id int64) (tracker.Authority, error) {
	var before tracker.Authority
	err := s.Update(ctx, func(tx *Tx) error {
		var err error
		if before, err = tx.authorityByID(id); err != nil {
			return err
		}
		var n int
		if err := tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM requests WHERE authority_id = ?`, id).Scan(&n); err != nil {
			return fmt.Errorf("store: unable to count requests: %w", err)
		}
		if n > 0 {
			return tracker.Errorf(tracker.ECONFLICT, "%s has %d %s: it cannot be deleted while they exist", before.Name, n,
				map[bool]string{true: "request", false: "requests"}[n == 1])
		}
		if _, err := tx.ExecContext(tx.ctx, `DELETE FROM authorities WHERE id = ?`, id); err != nil {
			return fmt.Errorf("store: unable to delete authority: %w", err)
		}
		return tx.Audit("delete", "authority", id, before, nil)
	})
	return before, err
}
