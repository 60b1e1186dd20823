package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/foitrack/foitrack/tracker"
)

// DefaultMaxDocumentBytes bounds a document attached by hand or by upload.
const DefaultMaxDocumentBytes = 100 << 20

const documentColumns = `d.id, d.request_id, d.message_id, d.filename, d.media_type, d.sniffed_type, d.size, d.sha256,
	d.disposition, d.description, d.created_at,
	COALESCE((SELECT json_group_array(code) FROM exemption_claims c WHERE c.document_id = d.id), '[]'),
	COALESCE((SELECT published_at FROM document_publications p WHERE p.document_id = d.id), '')`

func scanDocument(sc interface{ Scan(...any) error }) (tracker.Document, error) {
	var d tracker.Document
	var msg sql.NullInt64
	var sum sql.NullString
	var created, exemptions, published string
	err := sc.Scan(&d.ID, &d.RequestID, &msg, &d.Filename, &d.MediaType, &d.SniffedType, &d.Size, &sum,
		&d.Disposition, &d.Description, &created, &exemptions, &published)
	d.MessageID, d.SHA256, d.CreatedAt, d.Exemptions = msg.Int64, sum.String, parseTS(created), parseList(exemptions)
	if published != "" {
		d.PublishedAt = parseTS(published)
	}
	return d, err
}

// DisplayFilename reduces a name from a sender or an upload to something safe
// to show and to offer in Content-Disposition: its last path element, without
// control characters, at most 200 characters. It is never used as a path.
func DisplayFilename(name string) string {
	name = strings.ReplaceAll(name, `\`, "/")
	name = filepath.Base("/" + name)
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '"' {
			return -1
		}
		return r
	}, name)
	name = strings.TrimSpace(name)
	if name == "/" || name == "." || name == ".." || name == "" {
		name = "document"
	}
	if r := []rune(name); len(r) > 200 {
		name = string(r[:200])
	}
	return name
}

// checkDisposition refuses a disposition that is not one of the three
// (the table's CHECK would too, less clearly).
func checkDisposition(d string) error {
	if !tracker.ValidDisposition(d) {
		return tracker.Errorf(tracker.EINVALID, "disposition must be released, released_redacted or withheld").On("disposition")
	}
	return nil
}

// AddDocument stores content (nil for a withheld document we never received)
// and records the document, with its exemptions, against its request.
func (s *Store) AddDocument(ctx context.Context, d *tracker.Document, content io.Reader, maxBytes int64) error {
	if err := checkDisposition(d.Disposition); err != nil {
		return err
	}
	d.Filename = DisplayFilename(d.Filename)
	if content != nil {
		if maxBytes <= 0 {
			maxBytes = DefaultMaxDocumentBytes
		}
		sum, size, err := s.WriteBlob(content, maxBytes)
		if err != nil {
			return err
		}
		d.SHA256, d.Size = sum, size
		if d.SniffedType == "" {
			d.SniffedType = s.sniff(sum)
		}
	} else if d.Disposition != tracker.DispositionWithheld {
		return tracker.Errorf(tracker.EINVALID, "a released document needs its file").On("file")
	}
	if d.MediaType == "" {
		if t := mime.TypeByExtension(strings.ToLower(filepath.Ext(d.Filename))); t != "" {
			d.MediaType = t
		} else if d.SniffedType != "" {
			d.MediaType = d.SniffedType
		} else {
			d.MediaType = "application/octet-stream"
		}
	}
	return s.Update(ctx, func(tx *Tx) error { return tx.AddDocument(d) })
}

// AddDocument records a document whose content (if any) is already in the
// blob store, in the caller's transaction.
func (tx *Tx) AddDocument(d *tracker.Document) error {
	var r tracker.Request
	var err error
	kept := tx.keptRequestOf(d.RequestID)
	if kept != nil {
		r = tracker.Request{ID: d.RequestID, Law: kept.r.Law} // all that is read of it
	} else if r, err = tx.requestByID(d.RequestID); err != nil {
		return err
	}
	if d.Exemptions, err = tracker.NormalizeExemptionCodes(r.Law, d.Exemptions); err != nil {
		return err
	}
	var sum, msg any
	if d.SHA256 != "" {
		if kept != nil {
			// Its row kept back with the document's (written first).
			if _, err := tx.s.blobPath(d.SHA256); err != nil {
				return err
			}
			tx.blobsKept.args = append(tx.blobsKept.args, d.SHA256, d.Size, ts(tx.now))
		} else if err := tx.PutBlob(d.SHA256, d.Size); err != nil {
			return err
		}
		sum = d.SHA256
	}
	if d.MessageID != 0 {
		msg = d.MessageID
	}
	d.CreatedAt = tx.now
	if kept != nil {
		if err := checkDisposition(d.Disposition); err != nil {
			return err
		}
		if d.ID, err = tx.nextID(&tx.documentsKept); err != nil {
			return err
		}
		tx.documentsKept.args = append(tx.documentsKept.args, d.ID, d.RequestID, msg, d.Filename, d.MediaType, d.SniffedType,
			d.Size, sum, d.Disposition, d.Description, ts(d.CreatedAt))
	} else {
		res, err := tx.ExecContext(tx.ctx, `
			INSERT INTO documents (request_id, message_id, filename, media_type, sniffed_type, size, sha256, disposition, description, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			d.RequestID, msg, d.Filename, d.MediaType, d.SniffedType, d.Size, sum, d.Disposition, d.Description, ts(d.CreatedAt))
		if err != nil {
			return fmt.Errorf("store: unable to record document: %w", err)
		}
		d.ID, _ = res.LastInsertId()
	}
	if err := tx.claimExemptions(r, "document_id", d.ID, d.Exemptions); err != nil {
		return err
	}
	return tx.Audit("create", "document", d.ID, nil, d)
}

// UpdateDocument changes a document's disposition, description and exemptions.
func (s *Store) UpdateDocument(ctx context.Context, d *tracker.Document) error {
	if err := checkDisposition(d.Disposition); err != nil {
		return err
	}
	return s.Update(ctx, func(tx *Tx) error {
		before, err := tx.documentByID(d.ID)
		if err != nil {
			return err
		}
		r, err := tx.requestByID(before.RequestID)
		if err != nil {
			return err
		}
		if d.Exemptions, err = tracker.NormalizeExemptionCodes(r.Law, d.Exemptions); err != nil {
			return err
		}
		if _, err := tx.ExecContext(tx.ctx, `UPDATE documents SET disposition = ?, description = ? WHERE id = ?`,
			d.Disposition, d.Description, d.ID); err != nil {
			return fmt.Errorf("store: unable to update document: %w", err)
		}
		if _, err := tx.ExecContext(tx.ctx, `DELETE FROM exemption_claims WHERE document_id = ?`, d.ID); err != nil {
			return fmt.Errorf("store: unable to update exemptions: %w", err)
		}
		if err := tx.claimExemptions(r, "document_id", d.ID, d.Exemptions); err != nil {
			return err
		}
		after := before
		after.Disposition, after.Description, after.Exemptions = d.Disposition, d.Description, d.Exemptions
		if after.Disposition == tracker.DispositionWithheld {
			// A withheld document is not for the public page.
			if err := tx.unpublishDocument(before); err != nil {
				return err
			}
			after.PublishedAt = time.Time{}
		}
		*d = after
		return tx.Audit("update", "document", d.ID, before, after)
	})
}

// sniff reads the start of a stored blob to detect its type.
func (s *Store) sniff(sum string) string {
	f, err := s.OpenBlob(sum)
	if err != nil {
		return ""
	}
	defer f.Close()
	buf := make([]byte, 512)
	n, _ := io.ReadFull(f, buf)
	return http.DetectContentType(buf[:n])
}

// documentByID reads a document in the transaction, or ENOTFOUND.
func (tx *Tx) documentByID(id int64) (tracker.Document, error) {
	d, err := scanDocument(tx.QueryRowContext(tx.ctx, `SELECT `+documentColumns+` FROM documents d WHERE d.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFound("document", id)
	} else if err != nil {
		return d, fmt.Errorf("store: unable to read document %d: %w", id, err)
	}
	return d, nil
}

// DocumentByID returns one document.
func (s *Store) DocumentByID(ctx context.Context, id int64) (tracker.Document, error) {
	d, err := scanDocument(s.r.QueryRowContext(ctx, `SELECT `+documentColumns+` FROM documents d WHERE d.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return d, notFound("document", id)
	} else if err != nil {
		return d, fmt.Errorf("store: unable to read document %d: %w", id, err)
	}
	return d, nil
}

// DocumentFilter narrows Documents.
type DocumentFilter struct {
	RequestID   int64
	MessageID   int64
	Disposition string
	Query       string // the search box (see ParseSearchQuery): name, description, text
	Limit       int
	Cursor      Cursor // the page: documents after (or Back, before) this id, in the list's order
}

// Documents lists documents, newest first, a page at a time from f.Cursor.
func (s *Store) Documents(ctx context.Context, f DocumentFilter) ([]tracker.Document, error) {
	if f.Limit <= 0 {
		f.Limit = 100000
	}
	// Only the conditions that apply: "(? = 0 OR d.request_id = ?)" kept
	// SQLite from the request's index, so one request's documents were
	// looked for among all of them, newest first.
	conds, args := []string{"1 = 1"}, []any{}
	if f.RequestID != 0 {
		conds, args = append(conds, "d.request_id = ?"), append(args, f.RequestID)
	}
	if f.MessageID != 0 {
		conds, args = append(conds, "d.message_id = ?"), append(args, f.MessageID)
	}
	if f.Disposition != "" {
		conds, args = append(conds, "d.disposition = ?"), append(args, f.Disposition)
	}
	if f.Query != "" {
		search, searchArgs, err := s.itemSearchCond(ctx, "d.id", KindDocument, f.Query)
		if err != nil {
			return nil, err
		}
		conds, args = append(conds, search), append(args, searchArgs...)
	}
	page, pageArgs, order, reversed := idKeyset("d.id", true, f.Cursor)
	conds, args = append(conds, page), append(args, pageArgs...)
	rows, err := s.r.QueryContext(ctx, `SELECT `+documentColumns+` FROM documents d
		WHERE `+strings.Join(conds, " AND ")+`
		ORDER BY `+order+` LIMIT ?`, append(args, f.Limit)...)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list documents: %w", err)
	}
	defer rows.Close()
	var out []tracker.Document
	for rows.Next() {
		d, err := scanDocument(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read document: %w", err)
		}
		out = append(out, d)
	}
	return inListOrder(out, reversed), rows.Err()
}

// ExemptionCount is how often one exemption was claimed.
type ExemptionCount struct {
	Law  tracker.LawCode `json:"law"`
	Code string          `json:"code"`
	// Claims counts the claim once per request: a response, its review's
	// outcome and a withheld document citing the same exemption are one
	// claim, not three. Requests is the same number (kept for the API).
	Claims   int `json:"claims"`
	Requests int `json:"requests"`
}

// ExemptionCounts counts claims per exemption, optionally for one authority
// (0: all), most claimed first: from the counts kept on each write
// (exemptionsOncePerRequest over insight_exemptions).
func (s *Store) ExemptionCounts(ctx context.Context, authorityID int64) ([]ExemptionCount, error) {
	where, args := "1 = 1", []any{}
	if authorityID != 0 {
		where, args = "r.authority_id = ?", append(args, authorityID)
	}
	return s.exemptionsOncePerRequest(ctx, true, where, args, -1)
}

// ExemptionClaimant is an authority that claimed an exemption.
type ExemptionClaimant struct {
	AuthorityID   int64  `json:"authority_id"`
	AuthorityName string `json:"authority_name"`
	Claims        int    `json:"claims"` // requests in which it claimed it
}

// ExemptionClaimants lists who claimed one exemption, most often first: the
// first limit of them (0: all), and how many there are in all.
func (s *Store) ExemptionClaimants(ctx context.Context, law tracker.LawCode, code string, limit int) ([]ExemptionClaimant, int, error) {
	if limit <= 0 {
		limit = -1 // SQLite: no limit
	}
	// From the requests per exemption kept on each write, not its claims.
	rows, err := s.r.QueryContext(ctx, `
		SELECT a.id, a.name, sum(e.requests) AS n, count(*) OVER () FROM insight_exemptions e
		JOIN authorities a ON a.id = e.authority_id
		WHERE e.claim_law = ? AND e.code = ?
		GROUP BY a.id HAVING n > 0 ORDER BY n DESC, a.name LIMIT ?`, string(law), code, limit)
	if err != nil {
		return nil, 0, fmt.Errorf("store: unable to list exemption claimants: %w", err)
	}
	defer rows.Close()
	var out []ExemptionClaimant
	total := 0
	for rows.Next() {
		var c ExemptionClaimant
		if err := rows.Scan(&c.AuthorityID, &c.AuthorityName, &c.Claims, &total); err != nil {
			return nil, 0, fmt.Errorf("store: unable to read claimant: %w", err)
		}
		out = append(out, c)
	}
	return out, total, rows.Err()
}
