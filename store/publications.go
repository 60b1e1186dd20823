package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/foitrack/foitrack/tracker"
)

// Publishing a document offers its file for download on its request's
// public page. Only a released (or released redacted) document with a file
// can be published; a document later marked withheld is unpublished in the
// same transaction (see UpdateDocument).

// publication is what the audit log records of a publish action, and what
// audit verify compares with the document_publications row.
type publication struct {
	PublishedAt string `json:"published_at"`
	PublishedBy string `json:"published_by"`
}

// SetDocumentPublished publishes or unpublishes a document. Doing what is
// already done changes nothing and writes no audit entry.
func (s *Store) SetDocumentPublished(ctx context.Context, documentID int64, publish bool) error {
	return s.Update(ctx, func(tx *Tx) error {
		d, err := tx.documentByID(documentID)
		if err != nil {
			return err
		}
		if !publish {
			return tx.unpublishDocument(d)
		}
		if !d.PublishedAt.IsZero() {
			return nil
		}
		switch {
		case d.Disposition == tracker.DispositionWithheld:
			return tracker.Errorf(tracker.EINVALID, "a withheld document cannot be published: mark it released first")
		case d.SHA256 == "":
			return tracker.Errorf(tracker.EINVALID, "this document has no file to publish")
		}
		p := publication{PublishedAt: ts(tx.now), PublishedBy: tx.actor}
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO document_publications (document_id, published_at, published_by)
			VALUES (?, ?, ?)`, d.ID, p.PublishedAt, p.PublishedBy); err != nil {
			return fmt.Errorf("store: unable to publish document: %w", err)
		}
		return tx.Audit("publish", "document_publication", d.ID, nil, p)
	})
}

// unpublishDocument takes a published document off its public page.
func (tx *Tx) unpublishDocument(d tracker.Document) error {
	if d.PublishedAt.IsZero() {
		return nil
	}
	var p publication
	err := tx.QueryRowContext(tx.ctx, `DELETE FROM document_publications WHERE document_id = ? RETURNING published_at, published_by`,
		d.ID).Scan(&p.PublishedAt, &p.PublishedBy)
	if err != nil {
		return fmt.Errorf("store: unable to unpublish document: %w", err)
	}
	return tx.Audit("unpublish", "document_publication", d.ID, p, nil)
}

// PublishedDocument returns the document with that file on a public
// request's page, if it is published and released now; anything else is
// ENOTFOUND, so that an unpublished file and a made-up hash look the same.
func (s *Store) PublishedDocument(ctx context.Context, requestID int64, sha256 string) (tracker.Document, error) {
	d, err := scanDocument(s.r.QueryRowContext(ctx, `SELECT `+documentColumns+` FROM documents d
		JOIN document_publications p ON p.document_id = d.id
		WHERE d.request_id = ? AND d.sha256 = ? AND d.disposition IN ('released', 'released_redacted')
		ORDER BY d.id LIMIT 1`, requestID, sha256))
	if errors.Is(err, sql.ErrNoRows) {
		return d, tracker.Errorf(tracker.ENOTFOUND, "no published document here")
	} else if err != nil {
		return d, fmt.Errorf("store: unable to read published document: %w", err)
	}
	return d, nil
}
