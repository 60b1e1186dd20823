package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// GetSetting decodes the JSON value stored under key into v; found is false
// (and v untouched) when there is none.
func (s *Store) GetSetting(ctx context.Context, key string, v any) (found bool, err error) {
	var raw string
	err = s.r.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&raw)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	} else if err != nil {
		return false, fmt.Errorf("store: unable to read setting %s: %w", key, err)
	}
	if err := json.Unmarshal([]byte(raw), v); err != nil {
		return false, fmt.Errorf("store: setting %s is not valid: %w", key, err)
	}
	return true, nil
}

// PutSetting stores v as JSON under key, audited.
func (s *Store) PutSetting(ctx context.Context, key string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("store: unable to encode setting %s: %w", key, err)
	}
	return s.Update(ctx, func(tx *Tx) error {
		var before json.RawMessage
		var raw string
		if err := tx.QueryRowContext(tx.ctx, `SELECT value FROM settings WHERE key = ?`, key).Scan(&raw); err == nil {
			before = json.RawMessage(raw)
		}
		if _, err := tx.ExecContext(tx.ctx, `INSERT INTO settings (key, value, updated_at) VALUES (?, ?, ?)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`,
			key, string(b), ts(tx.now)); err != nil {
			return fmt.Errorf("store: unable to save setting %s: %w", key, err)
		}
		return tx.Audit("setting", key, 0, before, json.RawMessage(b))
	})
}
