package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/foitrack/foitrack/tracker"
)

// Censor rules (tracker.CensorRule) are kept here and applied by whatever
// shows or gives something to the public; see CensorFor.

const censorColumns = `id, scope, scope_id, pattern, is_regexp, replacement, note`

// AddCensorRule validates and stores a rule.
func (s *Store) AddCensorRule(ctx context.Context, r *tracker.CensorRule) error {
	return s.AddCensorRules(ctx, []*tracker.CensorRule{r})
}

// AddCensorRules adds several rules (the words a request page offers to
// hide, or several patterns given at once) in one transaction: when one is
// refused, none is added.
func (s *Store) AddCensorRules(ctx context.Context, rules []*tracker.CensorRule) error {
	for _, r := range rules {
		r.Pattern = strings.TrimSpace(r.Pattern)
		r.Note = strings.TrimSpace(r.Note)
		if err := r.Validate(); err != nil {
			return err
		}
	}
	return s.Update(ctx, func(tx *Tx) error {
		for _, r := range rules {
			if err := tx.addCensorRule(r); err != nil {
				return err
			}
		}
		return nil
	})
}

func (tx *Tx) addCensorRule(r *tracker.CensorRule) error {
	switch r.Scope {
	case tracker.CensorRequest:
		if _, err := tx.requestByID(r.ScopeID); err != nil {
			return err
		}
	case tracker.CensorAuthority:
		if _, err := tx.authorityByID(r.ScopeID); err != nil {
			return err
		}
	}
	err := tx.QueryRowContext(tx.ctx, `INSERT INTO censor_rules (scope, scope_id, pattern, is_regexp, replacement, note, created_at, created_by)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`, r.Scope, r.ScopeID, r.Pattern, r.Regexp, r.Replacement, r.Note, ts(tx.now), tx.actor).Scan(&r.ID)
	if err != nil {
		return fmt.Errorf("store: unable to add censor rule: %w", err)
	}
	return tx.Audit("create", "censor_rule", r.ID, nil, r)
}

// DeleteCensorRule removes a rule.
func (s *Store) DeleteCensorRule(ctx context.Context, id int64) error {
	return s.Update(ctx, func(tx *Tx) error {
		r, err := scanCensorRule(tx.QueryRowContext(tx.ctx, `SELECT `+censorColumns+` FROM censor_rules WHERE id = ?`, id))
		if err != nil {
			return notFound("censor rule", id)
		}
		if _, err := tx.ExecContext(tx.ctx, `DELETE FROM censor_rules WHERE id = ?`, id); err != nil {
			return fmt.Errorf("store: unable to delete censor rule: %w", err)
		}
		return tx.Audit("delete", "censor_rule", id, r, nil)
	})
}

func scanCensorRule(sc interface{ Scan(...any) error }) (tracker.CensorRule, error) {
	var r tracker.CensorRule
	err := sc.Scan(&r.ID, &r.Scope, &r.ScopeID, &r.Pattern, &r.Regexp, &r.Replacement, &r.Note)
	return r, err
}

// CensorRules lists rules: all of them (scope ""), or those of one scope
// (and scope id), oldest first.
func (s *Store) CensorRules(ctx context.Context, scope string, scopeID int64) ([]tracker.CensorRule, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+censorColumns+` FROM censor_rules
		WHERE (? = '' OR scope = ?) AND (? = 0 OR scope_id = ?) ORDER BY id`, scope, scope, scopeID, scopeID)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list censor rules: %w", err)
	}
	defer rows.Close()
	out := []tracker.CensorRule{}
	for rows.Next() {
		r, err := scanCensorRule(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read censor rule: %w", err)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// CensorFor returns the rules that apply to what is public about the given
// requests and authorities: every global rule, and the rules of each.
func (s *Store) CensorFor(ctx context.Context, requestIDs, authorityIDs []int64) (*tracker.Censor, error) {
	all, err := s.CensorRules(ctx, "", 0)
	if err != nil {
		return nil, err
	}
	return censorOf(all, requestIDs, authorityIDs), nil
}

// censorOf picks from all rules the global ones and those of the requests
// and authorities given.
func censorOf(all []tracker.CensorRule, requestIDs, authorityIDs []int64) *tracker.Censor {
	reqs, auths := map[int64]bool{}, map[int64]bool{}
	for _, id := range requestIDs {
		reqs[id] = true
	}
	for _, id := range authorityIDs {
		auths[id] = true
	}
	var use []tracker.CensorRule
	for _, r := range all {
		if r.Scope == tracker.CensorGlobal || (r.Scope == tracker.CensorRequest && reqs[r.ScopeID]) || (r.Scope == tracker.CensorAuthority && auths[r.ScopeID]) {
			use = append(use, r)
		}
	}
	return tracker.NewCensor(use)
}

// CensorForRequest is CensorFor one request and its authority.
func (s *Store) CensorForRequest(ctx context.Context, r tracker.Request) (*tracker.Censor, error) {
	return s.CensorFor(ctx, []int64{r.ID}, []int64{r.AuthorityID})
}

// RequesterDetailsSetting holds the requester's own details (name, postal
// address, email): offered as censor rules when a request is made public,
// and looked for in a document before it is published.
const RequesterDetailsSetting = "requester_details"

// RequesterDetails is the requester's own details.
type RequesterDetails struct {
	Name    string `json:"name"`
	Address string `json:"address"` // one line per line of the address
	Email   string `json:"email"`
}

// Values are the details as texts to look for: the name, each line of the
// address, the email.
func (d RequesterDetails) Values() []string {
	var out []string
	for _, v := range append([]string{d.Name, d.Email}, strings.Split(d.Address, "\n")...) {
		if v = strings.TrimSpace(strings.TrimRight(v, ",")); len(v) >= 3 {
			out = append(out, v)
		}
	}
	return out
}

// GetRequesterDetails reads the requester's details ("" fields when unset).
func (s *Store) GetRequesterDetails(ctx context.Context) (RequesterDetails, error) {
	var d RequesterDetails
	_, err := s.GetSetting(ctx, RequesterDetailsSetting, &d)
	return d, err
}
