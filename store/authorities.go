package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

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
	return tx.updateAuthorityFrom(a, before)
}

// updateAuthorityFrom saves a over before (read in this transaction).
func (tx *Tx) updateAuthorityFrom(a *tracker.Authority, before tracker.Authority) error {
	a.CreatedAt, a.UpdatedAt = before.CreatedAt, tx.now
	var err error
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
	Cursor Cursor // the page: authorities after (or Back, before) this name (Key) and id
}

// Authorities lists authorities by name (then id), a page at a time from
// f.Cursor.
func (s *Store) Authorities(ctx context.Context, f AuthorityFilter) ([]tracker.Authority, error) {
	if f.Limit <= 0 {
		f.Limit = 100000
	}
	q := "%" + likeEscape(f.Query) + "%"
	dom := ""
	if f.Domain != "" {
		dom = `%"` + likeEscape(strings.ToLower(f.Domain)) + `"%`
	}
	// By name, then id (names may repeat); reading back walks the other way.
	page, order := "1 = 1", "a.name COLLATE NOCASE, a.id"
	args := []any{f.Query, q, q, q, q, dom, dom}
	if f.Cursor.Set() {
		page = "(a.name COLLATE NOCASE > ? OR a.name COLLATE NOCASE = ? AND a.id > ?)"
		if f.Cursor.Back {
			page = "(a.name COLLATE NOCASE < ? OR a.name COLLATE NOCASE = ? AND a.id < ?)"
			order = "a.name COLLATE NOCASE DESC, a.id DESC"
		}
		args = append(args, f.Cursor.Key, f.Cursor.Key, f.Cursor.ID)
	}
	rows, err := s.r.QueryContext(ctx, `SELECT `+authorityColumns+` FROM authorities a
		WHERE (? = '' OR a.name LIKE ? ESCAPE '\' OR a.short_name LIKE ? ESCAPE '\' OR a.url_name LIKE ? ESCAPE '\' OR a.email LIKE ? ESCAPE '\')
		  AND (? = '' OR a.domains LIKE ? ESCAPE '\') AND `+page+`
		ORDER BY `+order+` LIMIT ?`,
		append(args, f.Limit)...)
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
	return inListOrder(out, f.Cursor.Set() && f.Cursor.Back), rows.Err()
}

// CountAuthorities counts all authorities.
func (s *Store) CountAuthorities(ctx context.Context) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM authorities`).Scan(&n)
	return n, err
}

// ImportResult says what an import did: authorities created, changed, and
// matched but already as the row says (not written again).
type ImportResult struct{ Created, Updated, Unchanged int }

// An import writes in batches: one transaction holds the write lock for at
// most importBatchTime (or importBatchRows rows), then leaves it free long
// enough for a writer of a serving foitrack (another process, waiting in
// SQLite's busy handler) to take it: such a writer tries again after waits
// that grow with how long it has waited (busyWaits), so one that began to
// wait during the batch tries within one wait of the batch's length
// (importGapAfter). Reads never wait (WAL).
const (
	importBatchRows = 1000
	importBatchTime = 200 * time.Millisecond
)

// busyWaits are SQLite's busy handler's sleeps between tries
// (sqliteDefaultBusyCallback), the last repeated.
var busyWaits = []time.Duration{1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100}

// importGapAfter is how long an import leaves the lock free after a batch
// that held it for held: the longest sleep of a writer that has waited at
// most held, and a margin for the scheduler. After a 200 ms batch that is
// 60 ms, where a fixed 100 ms left the lock idle a third of the time.
func importGapAfter(held time.Duration) time.Duration {
	const margin = 10 * time.Millisecond
	var waited time.Duration
	for _, w := range busyWaits {
		w *= time.Millisecond
		if held < waited+w {
			return w + margin
		}
		waited += w
	}
	return busyWaits[len(busyWaits)-1]*time.Millisecond + margin
}

// authorityIndex finds an import row's authority in memory: by URL name,
// else by exact name (an authority typed by hand has no URL name yet). One
// read of the table before the import instead of a scan per row.
type authorityIndex struct {
	byURL          map[string]int64
	byName         map[string]int64 // first authority of the name
	byNameNoURLKey map[string]int64 // first of the name that has no URL name
	stored         map[int64]tracker.Authority
}

func (s *Store) loadAuthorityIndex(ctx context.Context) (*authorityIndex, error) {
	ix := &authorityIndex{byURL: map[string]int64{}, byName: map[string]int64{}, byNameNoURLKey: map[string]int64{},
		stored: map[int64]tracker.Authority{}}
	rows, err := s.r.QueryContext(ctx, `SELECT `+authorityColumns+` FROM authorities a ORDER BY a.id`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to read authorities: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		a, err := scanAuthority(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read authority: %w", err)
		}
		ix.stored[a.ID] = a
		ix.add(a.ID, a.Name, a.URLName)
	}
	return ix, rows.Err()
}

func (ix *authorityIndex) add(id int64, name, urlName string) {
	if urlName != "" {
		ix.byURL[urlName] = id
	} else if _, ok := ix.byNameNoURLKey[name]; !ok {
		ix.byNameNoURLKey[name] = id
	}
	if _, ok := ix.byName[name]; !ok {
		ix.byName[name] = id
	}
}

// match is the rule the import has always had: a row with a URL name is
// the authority with that URL name, else one of the same name that has no
// URL name yet (rather than doubling it); a row without is the first
// authority of its name.
func (ix *authorityIndex) match(a *tracker.Authority) (int64, bool) {
	if a.URLName != "" {
		if id, ok := ix.byURL[a.URLName]; ok {
			return id, true
		}
		id, ok := ix.byNameNoURLKey[a.Name]
		return id, ok
	}
	id, ok := ix.byName[a.Name]
	return id, ok
}

// ImportAuthorities inserts or updates (matched by URL name, else by exact
// name) every authority. Every row is checked before anything is written:
// one bad row refuses the whole list. The rows are then written in batches
// of short transactions, so that an import of tens of thousands of rows
// never locks out the web app's reads and writes; the matching is done in
// memory (linear in the rows). Should a batch fail (a full disk, an
// authority changed meanwhile to clash), the batches before it stay, the
// error says how many rows were written, and importing the file again
// finishes the job (the rows written are matched and updated, not doubled).
func (s *Store) ImportAuthorities(ctx context.Context, list []tracker.Authority) (ImportResult, error) {
	var res ImportResult
	for i := range list {
		if err := list[i].Validate(); err != nil {
			return res, tracker.Errorf(tracker.EINVALID, "authority %q: %v", list[i].Name, err)
		}
	}
	ix, err := s.loadAuthorityIndex(ctx)
	if err != nil {
		return res, err
	}
	// Each row gets its authority's ID now, or a negative placeholder for an
	// authority an earlier row of the file creates.
	for i := range list {
		a := &list[i]
		id, ok := ix.match(a)
		switch {
		case !ok:
			id = -int64(i) - 1
			ix.add(id, a.Name, a.URLName)
		case a.URLName != "" && ix.byURL[a.URLName] != id:
			// Matched by name: that authority now has this URL name.
			delete(ix.byNameNoURLKey, a.Name)
			ix.add(id, a.Name, a.URLName)
		}
		a.ID = id
	}
	// Rows that change nothing stored are not written at all (a re-import of
	// the same file writes nothing); the write checks again in its
	// transaction, in case the authority changed meanwhile.
	todo := make([]*tracker.Authority, 0, len(list))
	for i := range list {
		a := &list[i]
		if before, ok := ix.stored[a.ID]; ok && a.ID > 0 {
			row := *a
			keepWhatTheRowLacks(&row, before)
			if sameAuthority(row, before) {
				*a = before
				res.Unchanged++
				continue
			}
		}
		todo = append(todo, a)
	}
	// Rows that name an authority created by an earlier row update it.
	created := map[int64]int64{} // placeholder → real ID
	for start := 0; start < len(todo); {
		var batch ImportResult
		end := start
		began := time.Now()
		err := s.Update(ctx, func(tx *Tx) error {
			batch, end = ImportResult{}, start
			for ; end < len(todo) && end-start < importBatchRows && time.Since(began) < importBatchTime; end++ {
				a := todo[end]
				id := a.ID
				if real, ok := created[id]; id < 0 && ok {
					id = real
				}
				if id < 0 {
					placeholder := a.ID
					a.ID = 0
					if err := tx.createAuthority(a); err != nil {
						a.ID = placeholder
						return err
					}
					created[placeholder] = a.ID
					batch.Created++
					continue
				}
				a.ID = id
				before, err := tx.authorityByID(id)
				if err != nil {
					return err
				}
				keepWhatTheRowLacks(a, before)
				if sameAuthority(*a, before) {
					*a = before
					batch.Unchanged++
					continue
				}
				if err := tx.updateAuthorityFrom(a, before); err != nil {
					return err
				}
				batch.Updated++
			}
			return nil
		})
		if err != nil {
			if start == 0 {
				return res, err
			}
			// The batches before this one stay: say so, in the error's own
			// words (a person reads only a domain error's message).
			saved := fmt.Sprintf("%d of the %d rows to write were saved before this, the rest were not; import the file again to finish (rows saved are matched, not doubled)", start, len(todo))
			var te *tracker.Error
			if errors.As(err, &te) {
				msg := te.Message
				if te.Code == tracker.ENOSPACE {
					msg = "No space left on device. Free some space on the disk that holds foitrack's data directory"
				}
				return res, &tracker.Error{Code: te.Code, Message: msg + ": " + saved + ".", Fields: te.Fields}
			}
			return res, fmt.Errorf("%w (%s)", err, saved)
		}
		res.Created += batch.Created
		res.Updated += batch.Updated
		res.Unchanged += batch.Unchanged
		start = end
		reportProgress(ctx, len(list)-len(todo)+start, len(list))
		if start < len(todo) {
			if err := sleepCtx(ctx, importGapAfter(time.Since(began))); err != nil {
				return res, fmt.Errorf("import stopped after %d of %d rows to write: %w", start, len(todo), err)
			}
		}
	}
	return res, nil
}

// sameAuthority reports whether an import row changes nothing stored.
func sameAuthority(a, b tracker.Authority) bool {
	return a.Name == b.Name && a.ShortName == b.ShortName && a.URLName == b.URLName && a.Jurisdiction == b.Jurisdiction &&
		a.DefaultLaw == b.DefaultLaw && a.Email == b.Email && a.Website == b.Website && a.Notes == b.Notes &&
		slices.Equal(a.Tags, b.Tags) && slices.Equal(a.Domains, b.Domains)
}

// sleepCtx waits d, or until ctx ends.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
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
