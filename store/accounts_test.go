package store_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// cheapPasswords lowers the bcrypt cost for one (non-parallel) test.
func cheapPasswords(t *testing.T) {
	old := store.PasswordCost
	store.PasswordCost = bcrypt.MinCost
	t.Cleanup(func() { store.PasswordCost = old })
}

const pw = "a password long enough"

func mustUser(t *testing.T, st *store.Store, email string, role store.Role) store.User {
	t.Helper()
	u := store.User{Email: email, Role: role}
	if err := st.CreateUser(context.Background(), &u, pw); err != nil {
		t.Fatal(err)
	}
	return u
}

func TestUsers(t *testing.T) {
	cheapPasswords(t)
	st := MustOpenDB(t)
	ctx := context.Background()

	u := store.User{Email: "  Ada@Example.ORG ", Name: "Ada", Role: store.RoleEditor}
	if err := st.CreateUser(ctx, &u, pw); err != nil {
		t.Fatal(err)
	}
	if u.ID == 0 || u.Email != "ada@example.org" {
		t.Fatalf("created %+v", u)
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(pw)) != nil || strings.Contains(u.PasswordHash, pw) {
		t.Fatal("the password is not stored as a bcrypt hash")
	}
	// The audit log records the account, never the hash.
	entries, _ := st.AuditEntries(ctx, "user", u.ID, 0, 10)
	if len(entries) != 1 || strings.Contains(string(entries[0].After), u.PasswordHash) || !strings.Contains(string(entries[0].After), "ada@example.org") {
		t.Fatalf("audit entries = %+v", entries)
	}

	// Duplicates (whatever the case) and bad fields are refused with per-field messages.
	err := st.CreateUser(ctx, &store.User{Email: "ADA@example.org", Role: store.RoleViewer}, pw)
	if tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("duplicate email: %v", err)
	}
	var bad tracker.Error
	err = st.CreateUser(ctx, &store.User{Email: "not an email", Role: "boss"}, "short")
	if tracker.ErrorCode(err) != tracker.EINVALID {
		t.Fatalf("bad user: %v", err)
	}
	if e, ok := err.(*tracker.Error); ok {
		bad = *e
	}
	for _, f := range []string{"email", "role", "password"} {
		if bad.Fields[f] == "" {
			t.Errorf("no message for %s: %v", f, bad.Fields)
		}
	}
	if err := st.CreateUser(ctx, &store.User{Email: "long@example.org", Role: store.RoleViewer}, strings.Repeat("x", 73)); tracker.ErrorCode(err) != tracker.EINVALID {
		t.Errorf("a password bcrypt would cut is accepted: %v", err)
	}

	// Authenticate: the right password; everything else is the same refusal.
	got, err := st.Authenticate(ctx, "ADA@example.org", pw)
	if err != nil || got.ID != u.ID || got.LastLoginAt.IsZero() {
		t.Fatalf("authenticate = %+v, %v", got, err)
	}
	_, errWrong := st.Authenticate(ctx, "ada@example.org", "wrong password")
	_, errUnknown := st.Authenticate(ctx, "nobody@example.org", pw)
	if tracker.ErrorCode(errWrong) != tracker.EUNAUTHORIZED || errWrong.Error() != errUnknown.Error() {
		t.Fatalf("wrong password %v, unknown user %v: want the same EUNAUTHORIZED", errWrong, errUnknown)
	}

	// The last active admin cannot go.
	admin := mustUser(t, st, "admin@example.org", store.RoleAdmin)
	admin.Role = store.RoleEditor
	if err := st.UpdateUser(ctx, &admin); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("demoting the last admin: %v", err)
	}
	admin.Role, admin.Disabled = store.RoleAdmin, true
	if err := st.UpdateUser(ctx, &admin); tracker.ErrorCode(err) != tracker.ECONFLICT {
		t.Fatalf("disabling the last admin: %v", err)
	}
	// A disabled account cannot sign in, and its sessions end.
	token, _, err := st.CreateSession(ctx, u.ID, "127.0.0.1", "test")
	if err != nil {
		t.Fatal(err)
	}
	u.Disabled = true
	if err := st.UpdateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Authenticate(ctx, "ada@example.org", pw); tracker.ErrorCode(err) != tracker.EUNAUTHORIZED {
		t.Fatalf("a disabled account signs in: %v", err)
	}
	if _, _, err := st.SessionUser(ctx, token); tracker.ErrorCode(err) != tracker.EUNAUTHORIZED {
		t.Fatalf("a disabled account's session still works: %v", err)
	}
	if u.PasswordHash == "" {
		t.Error("UpdateUser lost the password hash from the returned user")
	}
}

func TestCreateFirstAdminOnlyOnce(t *testing.T) {
	cheapPasswords(t)
	st := MustOpenDB(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := store.User{Email: strings.Repeat("a", i+1) + "@example.org"}
			errs[i] = st.CreateFirstAdmin(context.Background(), &u, pw)
		}()
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		if err == nil {
			ok++
		} else if tracker.ErrorCode(err) != tracker.ECONFLICT {
			t.Errorf("unexpected error %v", err)
		}
	}
	users, _ := st.Users(context.Background())
	if ok != 1 || len(users) != 1 || users[0].Role != store.RoleAdmin {
		t.Fatalf("%d setups succeeded, users = %+v", ok, users)
	}
}

func TestSessions(t *testing.T) {
	cheapPasswords(t)
	st := MustOpenDB(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	u := mustUser(t, st, "ed@example.org", store.RoleEditor)

	token, sess, err := st.CreateSession(ctx, u.ID, "192.0.2.1", "Firefox")
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(token))
	if sess.TokenHash != hex.EncodeToString(sum[:]) || len(token) < 43 {
		t.Fatalf("token %q, stored hash %q", token, sess.TokenHash)
	}
	var inClear int
	st.Reader().QueryRow(`SELECT count(*) FROM sessions WHERE token_hash = ?`, token).Scan(&inClear)
	if inClear != 0 {
		t.Fatal("the token is stored in clear")
	}
	if _, got, err := st.SessionUser(ctx, token); err != nil || got.ID != u.ID {
		t.Fatalf("session user = %+v, %v", got, err)
	}
	if _, _, err := st.SessionUser(ctx, token+"x"); tracker.ErrorCode(err) != tracker.EUNAUTHORIZED {
		t.Fatalf("a wrong token: %v", err)
	}

	// Used every few days it lasts until 30 days after login, not longer.
	for day := 5; day <= 25; day += 5 {
		now = now.AddDate(0, 0, 5)
		if _, _, err := st.SessionUser(ctx, token); err != nil {
			t.Fatalf("day %d: %v", day, err)
		}
		st.Settle() // the last-seen time is written in the background
	}
	now = now.AddDate(0, 0, 5)
	if _, _, err := st.SessionUser(ctx, token); tracker.ErrorCode(err) != tracker.EUNAUTHORIZED {
		t.Fatalf("a session 30 days old still works: %v", err)
	}
	// Unused for more than 7 days it ends.
	token2, _, _ := st.CreateSession(ctx, u.ID, "192.0.2.1", "Firefox")
	now = now.AddDate(0, 0, 8)
	if _, _, err := st.SessionUser(ctx, token2); tracker.ErrorCode(err) != tracker.EUNAUTHORIZED {
		t.Fatalf("an idle session still works: %v", err)
	}
	// Sweeping removes what has ended; logout removes one.
	token3, _, _ := st.CreateSession(ctx, u.ID, "", "")
	token4, _, _ := st.CreateSession(ctx, u.ID, "", "")
	now = now.AddDate(0, 0, 31)
	token5, _, _ := st.CreateSession(ctx, u.ID, "", "")
	if n, err := st.DeleteExpiredSessions(ctx); err != nil || n != 2 {
		t.Fatalf("swept %d sessions, %v; want 2 (%s %s)", n, err, token3[:4], token4[:4])
	}
	if err := st.DeleteSession(ctx, token5); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.SessionUser(ctx, token5); tracker.ErrorCode(err) != tracker.EUNAUTHORIZED {
		t.Fatalf("a deleted session still works: %v", err)
	}

	// A new password ends every session but the one kept.
	a, _, _ := st.CreateSession(ctx, u.ID, "", "")
	b, keep, _ := st.CreateSession(ctx, u.ID, "", "")
	if err := st.SetPassword(ctx, u.ID, "another good password", keep.TokenHash); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.SessionUser(ctx, a); err == nil {
		t.Error("another session survived a password change")
	}
	if _, _, err := st.SessionUser(ctx, b); err != nil {
		t.Errorf("the session that changed the password ended: %v", err)
	}
	if ok, _ := st.CheckPassword(ctx, u.ID, "another good password"); !ok {
		t.Error("the new password does not work")
	}
}

func TestReserveLoginAttempt(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	now := time.Date(2026, 3, 25, 9, 0, 0, 0, time.UTC)
	st.Now = func() time.Time { return now }
	lim := store.LoginLimit{Window: 15 * time.Minute, PerAccount: 3, PerAddress: 4}
	try := func(ip, email string) (int64, bool) {
		t.Helper()
		id, ok, err := st.ReserveLoginAttempt(ctx, ip, email, lim)
		if err != nil {
			t.Fatal(err)
		}
		return id, ok
	}
	for i := 0; i < 3; i++ {
		if _, ok := try("192.0.2.1", "Ed@example.org"); !ok {
			t.Fatalf("attempt %d refused", i+1)
		}
	}
	if _, ok := try("192.0.2.1", "ed@example.org"); ok {
		t.Error("a 4th attempt for the account (emails compared case-folded) was allowed")
	}
	if _, ok := try("192.0.2.9", "ed@example.org"); !ok {
		t.Error("another address is limited by this one")
	}
	if _, ok := try("192.0.2.1", "other@example.org"); !ok {
		t.Error("another account from the address refused before the address limit")
	}
	if _, ok := try("192.0.2.1", "third@example.org"); ok {
		t.Error("the address's 5th failure was allowed (limit 4)")
	}
	// Older than the window: not counted.
	now = now.Add(16 * time.Minute)
	for _, who := range []string{"x@example.org", "x@example.org", "y@example.org"} {
		if _, ok := try("192.0.2.1", who); !ok {
			t.Fatalf("%s refused after the window", who)
		}
	}
	// A success resets the account's count, not the address's.
	id, ok := try("192.0.2.1", "me@example.org")
	if !ok {
		t.Fatal("own login refused")
	}
	if err := st.LoginSucceeded(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, ok := try("192.0.2.1", "x@example.org"); !ok {
		t.Error("the address's 4th failure refused")
	}
	if _, ok := try("192.0.2.1", "z@example.org"); ok {
		t.Error("own login reset the address's count: a 5th failure was allowed")
	}
}

func TestAPITokens(t *testing.T) {
	cheapPasswords(t)
	st := MustOpenDB(t)
	ctx := context.Background()
	u := mustUser(t, st, "ed@example.org", store.RoleEditor)
	other := mustUser(t, st, "admin@example.org", store.RoleAdmin)

	if _, _, err := st.CreateAPIToken(ctx, u.ID, "  "); tracker.ErrorCode(err) != tracker.EINVALID {
		t.Fatalf("a token with no name: %v", err)
	}
	secret, tok, err := st.CreateAPIToken(ctx, u.ID, "weekly report")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(secret, store.APITokenPrefix) || !strings.HasPrefix(secret, tok.Prefix) || len(secret) < 40 {
		t.Fatalf("secret %q, prefix %q", secret, tok.Prefix)
	}
	var inClear int
	st.Reader().QueryRow(`SELECT count(*) FROM api_tokens WHERE token_hash = ?`, secret).Scan(&inClear)
	if inClear != 0 {
		t.Fatal("the token is stored in clear")
	}
	got, gotTok, err := st.UserByAPIToken(ctx, secret)
	if err != nil || got.ID != u.ID || gotTok.LastUsedAt.IsZero() {
		t.Fatalf("user by token = %+v %+v %v", got, gotTok, err)
	}
	for _, wrong := range []string{"", secret + "x", strings.TrimPrefix(secret, store.APITokenPrefix)} {
		if _, _, err := st.UserByAPIToken(ctx, wrong); tracker.ErrorCode(err) != tracker.EUNAUTHORIZED {
			t.Errorf("token %q: %v", wrong, err)
		}
	}
	list, _ := st.APITokens(ctx, u.ID)
	if len(list) != 1 || list[0].Name != "weekly report" {
		t.Fatalf("tokens = %+v", list)
	}
	// Someone else cannot revoke it; its owner can, and then it fails.
	if err := st.DeleteAPIToken(ctx, other.ID, tok.ID); tracker.ErrorCode(err) != tracker.ENOTFOUND {
		t.Fatalf("revoked by another user: %v", err)
	}
	if err := st.DeleteAPIToken(ctx, u.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.UserByAPIToken(ctx, secret); tracker.ErrorCode(err) != tracker.EUNAUTHORIZED {
		t.Fatalf("a revoked token works: %v", err)
	}
	// A disabled user's token fails.
	secret2, _, _ := st.CreateAPIToken(ctx, u.ID, "second")
	u.Disabled = true
	if err := st.UpdateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.UserByAPIToken(ctx, secret2); tracker.ErrorCode(err) != tracker.EUNAUTHORIZED {
		t.Fatalf("a disabled user's token works: %v", err)
	}
}

func TestPublicSlugs(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Borsetshire County Council", tracker.JurisdictionEngland)
	r := tracker.Request{Title: "Public", AuthorityID: a.ID, Visibility: tracker.VisibilityPublic}
	if err := st.CreateRequest(ctx, &r, tracker.Date{}); err != nil {
		t.Fatal(err)
	}
	// A public request has its page from the start.
	made, _ := st.PublicSlug(ctx, r.ID)
	slug, err := st.EnsurePublicSlug(ctx, r.ID)
	if err != nil || len(slug) != 16 || strings.Contains(r.ReplyToken, slug) || slug != made {
		t.Fatalf("slug %q (made with the request: %q), %v", slug, made, err)
	}
	if again, _ := st.EnsurePublicSlug(ctx, r.ID); again != slug {
		t.Fatalf("the slug changed: %q then %q", slug, again)
	}
	if got, err := st.RequestByPublicSlug(ctx, strings.ToUpper(slug)); err != nil || got.ID != r.ID {
		t.Fatalf("by slug: %+v %v", got, err)
	}
	r.Visibility = tracker.VisibilityPrivate
	if err := st.UpdateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RequestByPublicSlug(ctx, slug); tracker.ErrorCode(err) != tracker.ENOTFOUND {
		t.Fatalf("a private request by its slug: %v", err)
	}
	if _, err := st.RequestByPublicSlug(ctx, "nosuchslug"); tracker.ErrorCode(err) != tracker.ENOTFOUND {
		t.Fatalf("an unknown slug: %v", err)
	}
	if _, err := st.EnsurePublicSlug(ctx, 9999); tracker.ErrorCode(err) != tracker.ENOTFOUND {
		t.Fatalf("a slug for no request: %v", err)
	}
}

// addEvents records events on a request, failing the test on an error.
func addEvents(t *testing.T, st *store.Store, id int64, events ...tracker.Event) {
	t.Helper()
	for _, e := range events {
		e.RequestID = id
		if err := st.AddEvent(context.Background(), &e); err != nil {
			t.Fatal(err)
		}
	}
}

func day(s string) tracker.Date { return tracker.MustParseDate(s) }

func TestAuthorityRecordAndOverviews(t *testing.T) {
	st := MustOpenDB(t)
	ctx := context.Background()
	a := mustAuthority(t, st, "Borsetshire County Council", tracker.JurisdictionEngland)
	b := mustAuthority(t, st, "Ambridge Parish Council", tracker.JurisdictionEngland)
	mk := func(title string, authority int64, sent string) tracker.Request {
		r := tracker.Request{Title: title, AuthorityID: authority, Tags: []string{"roads"}}
		var d tracker.Date
		if sent != "" {
			d = day(sent)
		}
		if err := st.CreateRequest(ctx, &r, d); err != nil {
			t.Fatal(err)
		}
		return r
	}
	// Sent Mon 2 Mar 2026, due Tue 31 Mar: answered Fri 20 Mar, 13 working
	// days (Tue 17 Mar, St Patrick's Day, is not one), on time.
	r1 := mk("On time", a.ID, "2026-03-02")
	addEvents(t, st, r1.ID, tracker.Event{Kind: tracker.EventResponseReceived, Date: day("2026-03-20"), Outcome: tracker.OutcomeRefused,
		Exemptions: []string{"s31(1)(a)", "s40(2)"}})
	// Sent Mon 5 Jan 2026, due Mon 2 Feb: answered Wed 4 Feb, 22 working days, late.
	r2 := mk("Late", a.ID, "2026-01-05")
	addEvents(t, st, r2.ID, tracker.Event{Kind: tracker.EventResponseReceived, Date: day("2026-02-04"), Outcome: tracker.OutcomeReleasedInPart,
		Exemptions: []string{"s31(1)(a)"}})
	// Extended to Fri 27 Feb, answered Thu 26 Feb: on time after the extension (38 working days).
	r3 := mk("Extended", a.ID, "2026-01-05")
	addEvents(t, st, r3.ID,
		tracker.Event{Kind: tracker.EventExtensionClaimed, Date: day("2026-01-30"), NewDueDate: day("2026-02-27"), Reason: "public interest test"},
		tracker.Event{Kind: tracker.EventResponseReceived, Date: day("2026-02-26"), Outcome: tracker.OutcomeReleasedInFull})
	// Sent, never answered, overdue on 25 Mar; and a draft.
	mk("Waiting", a.ID, "2026-02-02")
	mk("Draft", a.ID, "")
	mk("Elsewhere", b.ID, "2026-03-02")

	rec, err := st.AuthorityRecord(ctx, a.ID, day("2026-03-25"))
	if err != nil {
		t.Fatal(err)
	}
	if rec.Requests != 5 || rec.Sent != 4 || rec.Answered != 3 || rec.AnsweredOnTime != 2 || rec.OverdueNow != 1 {
		t.Errorf("record = %+v", rec)
	}
	if !rec.HasMedian || rec.MedianWorkingDays != 22 {
		t.Errorf("median = %v (%v), want 22 (of 13, 22, 38)", rec.MedianWorkingDays, rec.HasMedian)
	}
	if share := rec.OnTimeShare(); share < 0.66 || share > 0.67 {
		t.Errorf("on-time share = %v", share)
	}
	if len(rec.TopExemptions) != 2 || rec.TopExemptions[0].Code != "s31(1)(a)" || rec.TopExemptions[0].Claims != 2 {
		t.Errorf("top exemptions = %+v", rec.TopExemptions)
	}
	empty, err := st.AuthorityRecord(ctx, 9999, day("2026-03-25"))
	if err != nil || empty.Requests != 0 || empty.HasMedian {
		t.Errorf("record of nobody = %+v, %v", empty, err)
	}

	histories, err := st.EventsByRequest(ctx, []int64{r1.ID, r3.ID, 9999})
	if err != nil {
		t.Fatal(err)
	}
	if len(histories[r1.ID]) != 2 || len(histories[r3.ID]) != 3 || len(histories[9999]) != 0 {
		t.Errorf("histories = %v", histories)
	}
	if h := histories[r3.ID]; h[0].Kind != tracker.EventSent || h[2].Kind != tracker.EventResponseReceived {
		t.Errorf("history out of order: %+v", h)
	}
	recent, err := st.RecentEvents(ctx, []tracker.EventKind{tracker.EventResponseReceived}, day("2026-02-01"), 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(recent) != 3 || recent[0].RequestTitle != "On time" || recent[0].AuthorityName != a.Name || recent[2].RequestTitle != "Late" {
		t.Errorf("recent = %+v", recent)
	}
	counts, _ := st.RequestCountsByAuthority(ctx, []int64{a.ID, b.ID})
	if counts[a.ID] != 5 || counts[b.ID] != 1 {
		t.Errorf("counts = %v", counts)
	}
	with, _ := st.AuthoritiesWithRequests(ctx)
	if len(with) != 2 || with[0].Name != "Ambridge Parish Council" {
		t.Errorf("authorities with requests = %v", with)
	}
	if tags, _ := st.RequestTags(ctx); len(tags) != 1 || tags[0] != "roads" {
		t.Errorf("tags = %v", tags)
	}
}
