package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/foitrack/foitrack/tracker"
)

const authorityColumns = `a.id, a.name, a.short_name, a.url_name, a.jurisdiction, a.default_law, a.email,
	a.website, a.tags, a.domains, a.notes, a.created_at, a.updated_at`

func scanAuthority(sc interface{ Scan(...any) error }) (tracker.Authority, error) {
	var a tracker.Authority
	var law, tags, domains, created, updated string
	err := sc.Scan(&a.ID, &a.Name, &a.ShortName, &a.URLName, &a.Jurisdiction, &law, &a.Email,
		&a.Website, &tags, &domains, &a.Notes, &created, &updated)
	a.DefaultLaw, a.Tags, a.Domains = tracker.LawCode(law), parseList(tags), parseList(domains)
	a.CreatedAt, a.UpdatedAt = parseTS(created), parseTS(updated)
	return a, err
}

// CreateAuthority validates and inserts a.
func (s *Store) CreateAuthority(ctx context.Context, a *tracker.Authority) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return s.Update(ctx, func(tx *Tx) error { return tx.createAuthority(a) })
}

// CreateAuthority is CreateAuthority in the caller's transaction (a already
// validated).
func (tx *Tx) CreateAuthority(a *tracker.Authority) error { return tx.createAuthority(a) }

func (tx *Tx) createAuthority(a *tracker.Authority) error {
	a.CreatedAt, a.UpdatedAt = tx.now, tx.now
	res, err := tx.ExecContext(tx.ctx, `
		INSERT INTO authorities (name, short_name, url_name, jurisdiction, default_law, email, website, tags, domains, notes, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		a.Name, a.ShortName, a.URLName, a.Jurisdiction, a.DefaultLaw, a.Email, a.Website,
		jsonList(a.Tags), jsonList(a.Domains), a.Notes, ts(a.CreatedAt), ts(a.UpdatedAt))
	if err != nil {
		if isUnique(err) {
			return tracker.Errorf(tracker.ECONFLICT, "an authority with URL name %q exists already", a.URLName)
		}
		return fmt.Errorf("store: unable to create authority: %w", err)
	}
	a.ID, _ = res.LastInsertId()
	return tx.Audit("create", "authority", a.ID, nil, a)
}

// UpdateAuthority validates a and saves every field.
func (s *Store) UpdateAuthority(ctx context.Context, a *tracker.Authority) error {
	if err := a.Validate(); err != nil {
		return err
	}
	return s.Update(ctx, func(tx *Tx) error { return tx.updateAuthority(a) })
}

// authorityByID reads an authority in the transaction, or ENOTFOUND.
func (tx *Tx) authorityByID(id int64) (tracker.Authority, error) {
	a, err := scanAuthority(tx.QueryRowContext(tx.ctx, `SELECT `+authorityColumns+` FROM authorities a WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, notFound("authority", id)
	} else if err != nil {
		return a, fmt.Errorf("store: unable to read authority %d: %w", id, err)
	}
	return a, nil
}

func (tx *Tx) updateAuthority(a *tracker.Authority) error {
	before, err := tx.authorityByID(a.ID)
	if err != nil {
		return err
	}
	a.CreatedAt, a.UpdatedAt = before.CreatedAt, tx.now
	_, err = tx.ExecContext(tx.ctx, `
		UPDATE authorities SET name = ?, short_name = ?, url_name = ?, jurisdiction = ?, default_law = ?, email = ?,
			website = ?, tags = ?, domains = ?, notes = ?, updated_at = ?
		WHERE id = ?`,
		a.Name, a.ShortName, a.URLName, a.Jurisdiction, a.DefaultLaw, a.Email, a.Website,
		jsonList(a.Tags), jsonList(a.Domains), a.Notes, ts(a.UpdatedAt), a.ID)
	if err != nil {
		if isUnique(err) {
			return tracker.Errorf(tracker.ECONFLICT, "an authority with URL name %q exists already", a.URLName)
		}
		return fmt.Errorf("store: unable to update authority: %w", err)
	}
	return tx.Audit("update", "authority", a.ID, before, a)
}

// AuthorityByID returns one authority or an ENOTFOUND error.
func (s *Store) AuthorityByID(ctx context.Context, id int64) (tracker.Authority, error) {
	a, err := scanAuthority(s.r.QueryRowContext(ctx, `SELECT `+authorityColumns+` FROM authorities a WHERE a.id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return a, notFound("authority", id)
	} else if err != nil {
		return a, fmt.Errorf("store: unable to read authority %d: %w", id, err)
	}
	return a, nil
}

// AuthorityFilter narrows Authorities.
type AuthorityFilter struct {
	Query  string // in name, short name, URL name or email
	Domain string // mail domain the authority writes from
	Limit  int
	Offset int
}

// Authorities lists authorities by name.
func (s *Store) Authorities(ctx context.Context, f AuthorityFilter) ([]tracker.Authority, error) {
	if f.Limit <= 0 {
		f.Limit = 100000
	}
	q := "%" + likeEscape(f.Query) + "%"
	dom := ""
	if f.Domain != "" {
		dom = `%"` + likeEscape(strings.ToLower(f.Domain)) + `"%`
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+authorityColumns+` FROM authorities a
		WHERE (? = '' OR a.name LIKE ? ESCAPE '\' OR a.short_name LIKE ? ESCAPE '\' OR a.url_name LIKE ? ESCAPE '\' OR a.email LIKE ? ESCAPE '\')
		  AND (? = '' OR a.domains LIKE ? ESCAPE '\')
		ORDER BY a.name COLLATE NOCASE LIMIT ? OFFSET ?`,
		f.Query, q, q, q, q, dom, dom, f.Limit, f.Offset)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list authorities: %w", err)
	}
	defer rows.Close()
	var out []tracker.Authority
	for rows.Next() {
		a, err := scanAuthority(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read authority: %w", err)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// CountAuthorities counts all authorities.
func (s *Store) CountAuthorities(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM authorities`).Scan(&n)
	return n, err
}

// ImportResult says what an import did.
type ImportResult struct{ Created, Updated int }

// ImportAuthorities inserts or updates (matched by URL name, else by exact
// name) every authority in one transaction: all or nothing.
func (s *Store) ImportAuthorities(ctx context.Context, list []tracker.Authority) (ImportResult, error) {
	var res ImportResult
	err := s.Update(ctx, func(tx *Tx) error {
		res = ImportResult{}
		for i := range list {
			a := &list[i]
			if err := a.Validate(); err != nil {
				return tracker.Errorf(tracker.EINVALID, "authority %q: %v", a.Name, err)
			}
			// A row with a URL name also finds an authority of the same name
			// that has none yet (one typed by hand), rather than doubling it.
			var id int64
			err := tx.QueryRowContext(tx.ctx, `SELECT id FROM authorities
				WHERE (? <> '' AND url_name = ?) OR (name = ? AND (? = '' OR url_name = ''))
				ORDER BY url_name = ? DESC LIMIT 1`,
				a.URLName, a.URLName, a.Name, a.URLName, a.URLName).Scan(&id)
			switch {
			case errors.Is(err, sql.ErrNoRows):
				if err := tx.createAuthority(a); err != nil {
					return err
				}
				res.Created++
			case err != nil:
				return fmt.Errorf("store: unable to match authority: %w", err)
			default:
				a.ID = id
				before, err := tx.authorityByID(id)
				if err != nil {
					return err
				}
				keepWhatTheRowLacks(a, before)
				if err := tx.updateAuthority(a); err != nil {
					return err
				}
				res.Updated++
			}
		}
		return nil
	})
	return res, err
}

// keepWhatTheRowLacks keeps the values an import row leaves empty:
// WhatDoTheyKnow's CSV has no FOI email or mail domains, and re-importing it
// must not blank the ones typed in by hand (requests are sent there).
func keepWhatTheRowLacks(a *tracker.Authority, before tracker.Authority) {
	if a.Email == "" {
		a.Email = before.Email
	}
	if len(a.Domains) == 0 {
		a.Domains = before.Domains
	}
	if a.ShortName == "" {
		a.ShortName = before.ShortName
	}
	if a.URLName == "" {
		a.URLName = before.URLName
	}
	if a.Website == "" {
		a.Website = before.Website
	}
	if a.Notes == "" {
		a.Notes = before.Notes
	}
	if len(a.Tags) == 0 {
		a.Tags = before.Tags
	}
	// WhatDoTheyKnow's CSV has no jurisdiction or law: the guess from its
	// tags must not undo one set by hand (it moves every deadline).
	if a.JurisdictionGuessed {
		a.Jurisdiction = before.Jurisdiction
	}
	if a.DefaultLawGuessed {
		a.DefaultLaw = before.DefaultLaw
	}
}

// likeEscape escapes LIKE wildcards in user input.
func likeEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(s)
}
