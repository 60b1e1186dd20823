package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// LetterTemplate is an admin's version of a drafted letter (remind.Template
// holds the rules; this is the row).
type LetterTemplate struct {
	Kind      string    `json:"kind"`
	Law       string    `json:"law"` // "" for every law
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	UpdatedBy string    `json:"updated_by"`
	UpdatedAt time.Time `json:"updated_at"`
}

// LetterTemplate returns the admin's template for kind and law exactly
// (found false when there is none).
func (s *Store) LetterTemplate(ctx context.Context, kind, law string) (t LetterTemplate, found bool, err error) {
	var updated string
	err = s.r.QueryRowContext(ctx, `SELECT kind, law, subject, body, updated_by, updated_at FROM letter_templates WHERE kind = ? AND law = ?`,
		kind, law).Scan(&t.Kind, &t.Law, &t.Subject, &t.Body, &t.UpdatedBy, &updated)
	if errors.Is(err, sql.ErrNoRows) {
		return t, false, nil
	} else if err != nil {
		return t, false, fmt.Errorf("store: unable to read letter template: %w", err)
	}
	t.UpdatedAt = parseTS(updated)
	return t, true, nil
}

// LetterTemplates lists every edited template.
func (s *Store) LetterTemplates(ctx context.Context) ([]LetterTemplate, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT kind, law, subject, body, updated_by, updated_at FROM letter_templates ORDER BY kind, law`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list letter templates: %w", err)
	}
	defer rows.Close()
	var out []LetterTemplate
	for rows.Next() {
		var t LetterTemplate
		var updated string
		if err := rows.Scan(&t.Kind, &t.Law, &t.Subject, &t.Body, &t.UpdatedBy, &updated); err != nil {
			return nil, fmt.Errorf("store: unable to read letter template: %w", err)
		}
		t.UpdatedAt = parseTS(updated)
		out = append(out, t)
	}
	return out, rows.Err()
}

// SaveLetterTemplate stores an edited template (checked by the caller), audited.
func (s *Store) SaveLetterTemplate(ctx context.Context, t *LetterTemplate) error {
	return s.Update(ctx, func(tx *Tx) error {
		t.UpdatedBy, t.UpdatedAt = tx.actor, tx.now
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO letter_templates (kind, law, subject, body, updated_by, updated_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kind, law) DO UPDATE SET subject = excluded.subject, body = excluded.body,
			updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			t.Kind, t.Law, t.Subject, t.Body, t.UpdatedBy, ts(t.UpdatedAt)); err != nil {
			return fmt.Errorf("store: unable to save letter template: %w", err)
		}
		return tx.Audit("save", "letter_template", 0, nil, t)
	})
}

// DeleteLetterTemplate goes back to the built-in text.
func (s *Store) DeleteLetterTemplate(ctx context.Context, kind, law string) error {
	return s.Update(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(tx.ctx, `DELETE FROM letter_templates WHERE kind = ? AND law = ?`, kind, law); err != nil {
			return fmt.Errorf("store: unable to delete letter template: %w", err)
		}
		return tx.Audit("reset", "letter_template", 0, map[string]string{"kind": kind, "law": law}, nil)
	})
}
