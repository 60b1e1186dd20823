package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/trustelem/zxcvbn"
	"github.com/trustelem/zxcvbn/frequency"
	"golang.org/x/crypto/bcrypt"

	"github.com/foitrack/foitrack/tracker"
)

// Role says what a user may do: viewers read, editors also create and
// change requests, authorities and documents, admins also manage users and
// settings.
type Role string

const (
	RoleViewer Role = "viewer"
	RoleEditor Role = "editor"
	RoleAdmin  Role = "admin"
)

// Roles lists every role with a label, least powerful first.
var Roles = []struct {
	Role  Role
	Label string
}{
	{RoleViewer, "Viewer (read only)"},
	{RoleEditor, "Editor (create and change)"},
	{RoleAdmin, "Admin (users and settings)"},
}

func (r Role) rank() int {
	switch r {
	case RoleViewer:
		return 1
	case RoleEditor:
		return 2
	case RoleAdmin:
		return 3
	}
	return 0
}

// Valid reports whether r is a known role.
func (r Role) Valid() bool { return r.rank() > 0 }

// AtLeast reports whether r grants everything min grants.
func (r Role) AtLeast(min Role) bool { return r.Valid() && r.rank() >= min.rank() }

// MinPasswordLength is the shortest password accepted.
const MinPasswordLength = 10

// PasswordCost is the bcrypt cost for new hashes. Tests lower it.
var PasswordCost = bcrypt.DefaultCost

// User is a person who signs in to the web app.
type User struct {
	ID           int64     `json:"id"`
	Email        string    `json:"email"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	Disabled     bool      `json:"disabled"`
	PasswordHash string    `json:"-"` // never logged, never audited
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
	LastLoginAt  time.Time `json:"last_login_at,omitzero"`
}

// DisplayName is the name, or the email when there is none.
func (u User) DisplayName() string {
	if u.Name != "" {
		return u.Name
	}
	return u.Email
}

// Validate checks the editable fields.
func (u *User) Validate() error {
	var v tracker.ValidationError
	u.Email = strings.ToLower(strings.TrimSpace(u.Email))
	u.Name = strings.TrimSpace(u.Name)
	if u.Email == "" {
		v.Add("email", "an email address is required")
	} else if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email || len(u.Email) > 254 {
		v.Add("email", "not an email address")
	}
	if len(u.Name) > 200 {
		v.Add("name", "at most 200 characters")
	}
	if !u.Role.Valid() {
		v.Add("role", "choose admin, editor or viewer")
	}
	return v.Err()
}

// PasswordRule is the rule for new passwords, as the forms state it.
const PasswordRule = "At least 10 characters, and not a common or breached password or an easy variation of one (a word with digits added, a keyboard row): a few unrelated words make a good one."

// minPasswordGuesses is how many guesses a new password must be estimated to
// need (zxcvbn's estimate, which knows the most common breached passwords,
// words, names, keyboard patterns and dates, and their variations).
const minPasswordGuesses = 1e6

// checkPassword says what is wrong with a new password, or "". userInputs
// are words of the account (its email) that must not make the password.
// The rule is NIST SP 800-63B's: a minimum length and a check against
// common and breached passwords, no composition rules.
func checkPassword(pw string, userInputs ...string) string {
	switch {
	case len([]rune(pw)) < MinPasswordLength:
		return fmt.Sprintf("at least %d characters", MinPasswordLength)
	case len(pw) > 72:
		// bcrypt reads only the first 72 bytes: refuse rather than ignore the rest.
		return "at most 72 bytes"
	case commonPasswords()[strings.ToLower(pw)]:
		return "this is a common password, in lists of breached passwords: choose another (a few unrelated words)"
	case zxcvbn.PasswordStrength(pw, userInputs).Guesses < minPasswordGuesses:
		return "too common or too easy to guess (a common or breached password, a word with digits added, a keyboard pattern, or your email): choose another (a few unrelated words)"
	}
	return ""
}

// commonPasswords is the list of the most common breached passwords that
// ships in the binary (zxcvbn's, from a corpus of leaked passwords).
var commonPasswords = sync.OnceValue(func() map[string]bool {
	list := frequency.FrequencyLists["passwords"]
	m := make(map[string]bool, len(list))
	for _, p := range list {
		m[p] = true
	}
	return m
})

func hashPassword(pw string) (string, error) {
	h, err := bcrypt.GenerateFromPassword([]byte(pw), PasswordCost)
	if err != nil {
		return "", fmt.Errorf("store: unable to hash password: %w", err)
	}
	return string(h), nil
}

const userColumns = `id, email, name, role, password_hash, disabled, created_at, updated_at, last_login_at`

func scanUser(sc interface{ Scan(...any) error }) (User, error) {
	var u User
	var role, created, updated string
	var last sql.NullString
	err := sc.Scan(&u.ID, &u.Email, &u.Name, &role, &u.PasswordHash, &u.Disabled, &created, &updated, &last)
	u.Role, u.CreatedAt, u.UpdatedAt = Role(role), parseTS(created), parseTS(updated)
	if last.Valid {
		u.LastLoginAt = parseTS(last.String)
	}
	return u, err
}

// CreateUser validates u and the password and inserts the user.
func (s *Store) CreateUser(ctx context.Context, u *User, password string) error {
	return s.createUser(ctx, u, password, false)
}

// CreateFirstAdmin creates u as an admin only if there is no user at all
// yet (the first-run setup page); otherwise it is an ECONFLICT error. The
// check and the insert are one transaction, so two setups cannot both win.
func (s *Store) CreateFirstAdmin(ctx context.Context, u *User, password string) error {
	u.Role = RoleAdmin
	return s.createUser(ctx, u, password, true)
}

func (s *Store) createUser(ctx context.Context, u *User, password string, onlyIfFirst bool) error {
	err := u.Validate()
	if msg := checkPassword(password, u.Email); msg != "" {
		var te *tracker.Error
		if errors.As(err, &te) {
			te.Fields["password"] = msg
			te.Message = "Please correct the highlighted fields."
		} else {
			err = &tracker.Error{Code: tracker.EINVALID, Message: "password: " + msg, Fields: map[string]string{"password": msg}}
		}
	}
	if err != nil {
		return err
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	return s.Update(ctx, func(tx *Tx) error {
		if onlyIfFirst {
			var n int
			if err := tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
				return fmt.Errorf("store: unable to count users: %w", err)
			}
			if n > 0 {
				return tracker.Errorf(tracker.ECONFLICT, "foitrack is set up already: sign in instead")
			}
		}
		u.PasswordHash, u.CreatedAt, u.UpdatedAt = hash, tx.now, tx.now
		res, err := tx.ExecContext(tx.ctx, `INSERT INTO users (email, name, role, password_hash, disabled, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, u.Email, u.Name, u.Role, u.PasswordHash, u.Disabled, ts(tx.now), ts(tx.now))
		if err != nil {
			if isUnique(err) {
				return &tracker.Error{Code: tracker.ECONFLICT, Message: fmt.Sprintf("a user with email %s exists already", u.Email),
					Fields: map[string]string{"email": "this email has an account already"}}
			}
			return fmt.Errorf("store: unable to create user: %w", err)
		}
		u.ID, _ = res.LastInsertId()
		return tx.Audit("create", "user", u.ID, nil, u)
	})
}

// CountUsers counts all users (the first-run setup page exists while there are none).
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: unable to count users: %w", err)
	}
	return n, nil
}

// UserByID returns one user or an ENOTFOUND error.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return u, notFound("user", id)
	} else if err != nil {
		return u, fmt.Errorf("store: unable to read user %d: %w", id, err)
	}
	return u, nil
}

// UserByEmail returns one user or an ENOTFOUND error.
func (s *Store) UserByEmail(ctx context.Context, email string) (User, error) {
	email = strings.ToLower(strings.TrimSpace(email))
	u, err := scanUser(s.r.QueryRowContext(ctx, `SELECT `+userColumns+` FROM users WHERE email = ?`, email))
	if errors.Is(err, sql.ErrNoRows) {
		return u, notFound("user", email)
	} else if err != nil {
		return u, fmt.Errorf("store: unable to read user: %w", err)
	}
	return u, nil
}

// Users lists every user by email.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT `+userColumns+` FROM users ORDER BY email`)
	if err != nil {
		return nil, fmt.Errorf("store: unable to list users: %w", err)
	}
	defer rows.Close()
	var out []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, fmt.Errorf("store: unable to read user: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// dummyHash is compared against when the email is unknown, so that a login
// takes as long whether or not the account exists. It is made on first use
// (not at start-up, which every command would pay for).
var dummyHash = sync.OnceValue(func() []byte {
	h, _ := bcrypt.GenerateFromPassword([]byte("not a real password, only for timing"), PasswordCost)
	return h
})

// Authenticate checks an email and password. Any failure, whatever its
// cause (unknown email, wrong password, disabled account), is the same
// EUNAUTHORIZED error, so that the answer does not say which accounts exist.
func (s *Store) Authenticate(ctx context.Context, email, password string) (User, error) {
	fail := tracker.Errorf(tracker.EUNAUTHORIZED, "Wrong email or password.")
	u, err := s.UserByEmail(ctx, email)
	if tracker.ErrorCode(err) == tracker.ENOTFOUND {
		_ = bcrypt.CompareHashAndPassword(dummyHash(), []byte(password))
		return User{}, fail
	} else if err != nil {
		return User{}, err
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil || u.Disabled {
		return User{}, fail
	}
	err = s.Update(ctx, func(tx *Tx) error {
		u.LastLoginAt = tx.now
		if _, err := tx.ExecContext(tx.ctx, `UPDATE users SET last_login_at = ? WHERE id = ?`, ts(tx.now), u.ID); err != nil {
			return fmt.Errorf("store: unable to record login: %w", err)
		}
		if u.Role == RoleAdmin {
			// Admin logins are audited: an admin can change everything else.
			return tx.Audit("login", "user", u.ID, nil, map[string]string{"email": u.Email})
		}
		return nil
	})
	return u, err
}

// UpdateUser saves the name, role and disabled flag of u. It refuses to
// leave the installation without an active admin. Disabling a user ends
// their sessions.
func (s *Store) UpdateUser(ctx context.Context, u *User) error {
	return s.UpdateUserWith(ctx, u, "")
}

// UpdateUserWith is UpdateUser and, when password is not "", SetPassword
// (every session ended) in one transaction: an account whose new password
// is refused keeps its old name and role too.
func (s *Store) UpdateUserWith(ctx context.Context, u *User, password string) error {
	if err := u.Validate(); err != nil {
		return err
	}
	var hash string
	if password != "" {
		if msg := checkPassword(password, u.Email); msg != "" {
			return &tracker.Error{Code: tracker.EINVALID, Message: "password: " + msg, Fields: map[string]string{"password": msg}}
		}
		var err error
		if hash, err = hashPassword(password); err != nil {
			return err
		}
	}
	return s.Update(ctx, func(tx *Tx) error {
		if err := tx.updateUser(u); err != nil {
			return err
		}
		if hash != "" {
			return tx.setPasswordHash(u.ID, hash, "")
		}
		return nil
	})
}

func (tx *Tx) updateUser(u *User) error {
	before, err := scanUser(tx.QueryRowContext(tx.ctx, `SELECT `+userColumns+` FROM users WHERE id = ?`, u.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return notFound("user", u.ID)
	} else if err != nil {
		return fmt.Errorf("store: unable to read user: %w", err)
	}
	if _, err := tx.ExecContext(tx.ctx, `UPDATE users SET email = ?, name = ?, role = ?, disabled = ?, updated_at = ? WHERE id = ?`,
		u.Email, u.Name, u.Role, u.Disabled, ts(tx.now), u.ID); err != nil {
		if isUnique(err) {
			return &tracker.Error{Code: tracker.ECONFLICT, Message: fmt.Sprintf("a user with email %s exists already", u.Email),
				Fields: map[string]string{"email": "this email has an account already"}}
		}
		return fmt.Errorf("store: unable to update user: %w", err)
	}
	var admins int
	if err := tx.QueryRowContext(tx.ctx, `SELECT count(*) FROM users WHERE role = 'admin' AND NOT disabled`).Scan(&admins); err != nil {
		return fmt.Errorf("store: unable to count admins: %w", err)
	}
	if admins == 0 {
		return tracker.Errorf(tracker.ECONFLICT, "there must be at least one active admin")
	}
	if u.Disabled {
		if _, err := tx.ExecContext(tx.ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
			return fmt.Errorf("store: unable to end sessions: %w", err)
		}
	}
	after := *u
	after.PasswordHash, after.CreatedAt, after.UpdatedAt, after.LastLoginAt = before.PasswordHash, before.CreatedAt, tx.now, before.LastLoginAt
	*u = after
	return tx.Audit("update", "user", u.ID, before, after)
}

// SetPassword replaces a user's password and ends all their sessions except
// keepSession (the sha256 of the session that made the change; "" for none).
func (s *Store) SetPassword(ctx context.Context, userID int64, password, keepSession string) error {
	var email string
	if u, err := s.UserByID(ctx, userID); err == nil {
		email = u.Email
	}
	if msg := checkPassword(password, email); msg != "" {
		return &tracker.Error{Code: tracker.EINVALID, Message: "password: " + msg, Fields: map[string]string{"password": msg}}
	}
	hash, err := hashPassword(password)
	if err != nil {
		return err
	}
	return s.Update(ctx, func(tx *Tx) error { return tx.setPasswordHash(userID, hash, keepSession) })
}

// ChangePassword is SetPassword and, when tokens or feeds is set,
// RevokeAccess, in one transaction: a password changed after a leak and
// the revocation of the leaked tokens are made together or not at all.
func (s *Store) ChangePassword(ctx context.Context, userID int64, password, keepSession string, tokens, feeds bool) (Revoked, error) {
	var email string
	if u, err := s.UserByID(ctx, userID); err == nil {
		email = u.Email
	}
	if msg := checkPassword(password, email); msg != "" {
		return Revoked{}, &tracker.Error{Code: tracker.EINVALID, Message: "password: " + msg, Fields: map[string]string{"password": msg}}
	}
	hash, err := hashPassword(password)
	if err != nil {
		return Revoked{}, err
	}
	var r Revoked
	err = s.Update(ctx, func(tx *Tx) error {
		r = Revoked{}
		if err := tx.setPasswordHash(userID, hash, keepSession); err != nil {
			return err
		}
		if tokens || feeds {
			var err error
			r, err = tx.revokeAccess(userID, keepSession, tokens, feeds)
			return err
		}
		return nil
	})
	return r, err
}

func (tx *Tx) setPasswordHash(userID int64, hash, keepSession string) error {
	res, err := tx.ExecContext(tx.ctx, `UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?`, hash, ts(tx.now), userID)
	if err != nil {
		return fmt.Errorf("store: unable to set password: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("user", userID)
	}
	if _, err := tx.ExecContext(tx.ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, keepSession); err != nil {
		return fmt.Errorf("store: unable to end sessions: %w", err)
	}
	return tx.Audit("password", "user", userID, nil, nil)
}

// CheckPassword reports whether password is the user's current one.
func (s *Store) CheckPassword(ctx context.Context, userID int64, password string) (bool, error) {
	u, err := s.UserByID(ctx, userID)
	if err != nil {
		return false, err
	}
	return bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) == nil, nil
}
