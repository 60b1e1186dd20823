package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"

	"github.com/foitrack/foitrack/tracker"
)

// A public request has a read-only page at /p/SLUG. The slug is random (it
// reveals neither the request's number nor its reply token) and, once made,
// never changes, so a link that was shared keeps working.

// PublicSlug returns the request's public slug, or "" when it has none yet.
func (s *Store) PublicSlug(ctx context.Context, requestID int64) (string, error) {
	var slug string
	err := s.r.QueryRowContext(ctx, `SELECT slug FROM public_pages WHERE request_id = ?`, requestID).Scan(&slug)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	} else if err != nil {
		return "", fmt.Errorf("store: unable to read public page: %w", err)
	}
	return slug, nil
}

// EnsurePublicSlug returns the request's public slug, making one if needed.
func (s *Store) EnsurePublicSlug(ctx context.Context, requestID int64) (string, error) {
	if slug, err := s.PublicSlug(ctx, requestID); err != nil || slug != "" {
		return slug, err
	}
	if err := s.Update(ctx, func(tx *Tx) error { return tx.ensurePublicSlug(requestID) }); err != nil {
		return "", err
	}
	return s.PublicSlug(ctx, requestID)
}

// ensurePublicSlug gives the request a public page if it has none. A public
// request gets one when it is created or made public, so that everything
// quoting its public URL (timeline exports, evidence bundles) has it from the
// start, not only once someone has opened its page.
func (tx *Tx) ensurePublicSlug(requestID int64) error {
	b := make([]byte, 10)
	rand.Read(b)
	slug := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))
	if tx.keptRequestOf(requestID) != nil {
		tx.pagesKept.args = append(tx.pagesKept.args, requestID, slug, ts(tx.now))
		return nil
	}
	// Another request may have made it meanwhile: keep the first.
	_, err := tx.ExecContext(tx.ctx, `INSERT INTO public_pages (request_id, slug, created_at) VALUES (?, ?, ?)
		ON CONFLICT (request_id) DO NOTHING`, requestID, slug, ts(tx.now))
	if err != nil {
		if isForeignKey(err) {
			return notFound("request", requestID)
		}
		return fmt.Errorf("store: unable to create public page: %w", err)
	}
	return nil
}

// RequestByPublicSlug returns the request with that slug if, and only if, it
// is public now; anything else is ENOTFOUND, so that a private request and a
// made-up slug look the same.
func (s *Store) RequestByPublicSlug(ctx context.Context, slug string) (tracker.Request, error) {
	var id int64
	err := s.r.QueryRowContext(ctx, `SELECT p.request_id FROM public_pages p JOIN requests r ON r.id = p.request_id
		WHERE p.slug = ? AND r.visibility = 'public'`, strings.ToLower(slug)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return tracker.Request{}, tracker.Errorf(tracker.ENOTFOUND, "no public request here")
	} else if err != nil {
		return tracker.Request{}, fmt.Errorf("store: unable to read public page: %w", err)
	}
	return s.RequestByID(ctx, id)
}
