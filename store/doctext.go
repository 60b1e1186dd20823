package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/foitrack/foitrack/extract"
)

// DocumentText is where a document's text stands (schema section 9).
type DocumentText struct {
	DocumentID int64  `json:"document_id"`
	State      string `json:"state"`  // extract.State…
	Reason     string `json:"reason"` // why it failed or was not read; for extracted text, pages read by OCR or left unread
	Text       string `json:"-"`
	Length     int    `json:"length"`
}

// StateLabel says the state in words for a page.
func (t DocumentText) StateLabel() string {
	switch t.State {
	case extract.StateExtracted:
		if t.Reason != "" { // how it was read: pages by OCR, pages left unread
			return "text extracted and searchable; " + t.Reason
		}
		return "text extracted and searchable"
	case extract.StatePending:
		return "text not extracted yet (waiting for the background worker)"
	case extract.StateToolMissing:
		if t.Reason != "" { // which program: pdftotext, tesseract for a scan, catdoc
			return t.Reason
		}
		return "text not extracted: pdftotext missing"
	case extract.StateUnsupported:
		return "no text read from this kind of file"
	case extract.StateNoFile:
		return "no file, so no text"
	case extract.StateFailed:
		return "text extraction failed: " + t.Reason
	}
	return t.State
}

// DocumentTextByID returns a document's text and its state.
func (s *Store) DocumentTextByID(ctx context.Context, documentID int64) (DocumentText, error) {
	t := DocumentText{DocumentID: documentID}
	err := s.r.QueryRowContext(ctx, `SELECT state, reason, text FROM document_texts WHERE document_id = ?`, documentID).
		Scan(&t.State, &t.Reason, &t.Text)
	if errors.Is(err, sql.ErrNoRows) {
		return t, notFound("document text", documentID)
	} else if err != nil {
		return t, fmt.Errorf("store: unable to read document text: %w", err)
	}
	t.Length = len(t.Text)
	return t, nil
}

// PendingDocumentTexts lists documents whose text is waiting, oldest first.
func (s *Store) PendingDocumentTexts(ctx context.Context, limit int) ([]int64, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT document_id FROM document_texts WHERE state = 'pending'
		ORDER BY document_id LIMIT ?`, limit)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list pending texts: %w", err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, fmt.Errorf("store: unable to list pending texts: %w", err)
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// RequeueDocumentText marks a document's text to be read again (after
// pdftotext was installed, or a failure). The worker picks it up.
func (s *Store) RequeueDocumentText(ctx context.Context, documentID int64) error {
	return s.Update(ctx, func(tx *Tx) error {
		d, err := tx.documentByID(documentID)
		if err != nil {
			return err
		}
		state := extract.StatePending
		if d.SHA256 == "" {
			state = extract.StateNoFile
		}
		_, err = tx.ExecContext(tx.ctx, `INSERT INTO document_texts (document_id, state, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (document_id) DO UPDATE SET state = excluded.state, reason = '', updated_at = excluded.updated_at`,
			documentID, state, ts(tx.now))
		if err != nil {
			return fmt.Errorf("store: unable to queue document text: %w", err)
		}
		return nil
	})
}

// ExtractDocumentText reads a document's text now and stores it (and so
// indexes it, by trigger). The state records a failure; the error is only
// for the store itself failing.
func (s *Store) ExtractDocumentText(ctx context.Context, documentID int64, opt extract.Options) (DocumentText, error) {
	d, err := s.DocumentByID(ctx, documentID)
	if err != nil {
		return DocumentText{}, err
	}
	t := DocumentText{DocumentID: documentID}
	if d.SHA256 == "" {
		t.State = extract.StateNoFile
	} else if f, err := s.OpenBlob(d.SHA256); err != nil {
		t.State, t.Reason = extract.StateFailed, err.Error()
	} else {
		e, err := extract.Read(ctx, f, d.Size, d.MediaType, d.Filename, opt)
		f.Close()
		switch {
		case err == nil:
			t.State, t.Text, t.Reason = extract.StateExtracted, e.Text, e.Note
		case errors.Is(err, extract.ErrToolMissing):
			t.State, t.Reason = extract.StateToolMissing, err.Error()
		case errors.Is(err, extract.ErrUnsupported):
			t.State = extract.StateUnsupported
		case ctx.Err() != nil:
			return t, ctx.Err() // stopping: leave it pending
		default:
			t.State, t.Reason = extract.StateFailed, err.Error()
		}
	}
	t.Length = len(t.Text)
	err = s.Update(ctx, func(tx *Tx) error {
		// Text is derived from the stored file, like the index: not audited.
		_, err := tx.ExecContext(tx.ctx, `INSERT INTO document_texts (document_id, state, reason, text, updated_at)
			VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (document_id) DO UPDATE SET state = excluded.state, reason = excluded.reason,
				text = excluded.text, updated_at = excluded.updated_at`,
			documentID, t.State, t.Reason, t.Text, ts(tx.now))
		if err != nil {
			return fmt.Errorf("store: unable to save document text: %w", err)
		}
		return nil
	})
	return t, err
}

// ExtractPendingTexts reads the text of up to limit waiting documents and
// returns how many it did. The background worker calls it.
func (s *Store) ExtractPendingTexts(ctx context.Context, opt extract.Options, limit int) (int, error) {
	ids, err := s.PendingDocumentTexts(ctx, limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		if _, err := s.ExtractDocumentText(ctx, id, opt); err != nil {
			if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
				return n, err
			}
			// A document deleted meanwhile: its row went with it.
			continue
		}
		n++
	}
	return n, nil
}
