package server

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// post fills the form matching css on the page open in the browser with
// values (a form control's name → its value; "" clears it, and unticks
// every box of that name), turns the browser's own validation off (the
// server's is what is tested) and submits it, returning the status of the
// page that comes back.
func (b *browser) post(what, css string, values map[string]string) int {
	b.t.Helper()
	vals, _ := json.Marshal(values)
	sel, _ := json.Marshal(css)
	eval := chromedp.Evaluate[bool](fmt.Sprintf(`(() => {
		const f = document.querySelector(%s);
		if (!f) throw new Error("no form " + %s);
		f.noValidate = true;
		const vals = %s;
		for (const [name, v] of Object.entries(vals)) {
			if (name === "@submit") continue;
			for (const el of f.querySelectorAll("[name='" + name + "']")) {
				if (el.type === "checkbox" || el.type === "radio") el.checked = v !== "" && el.value === v;
				else el.value = v;
			}
		}
		const by = vals["@submit"] ? f.querySelector(vals["@submit"]) : null;
		f.requestSubmit(by);
		return true;
	})()`, sel, sel, vals))
	res, err := chromedp.RunResponse(b.ctx, func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := eval(ctx, t)
		return chromedp.Void{}, err
	})
	if err != nil {
		b.t.Fatalf("%s: %v", what, err)
	}
	// The page that comes back (after a redirect, the page it leads to)
	// may still be loading: wait until a script sees it complete, twice in
	// a row (a script run while the page is being replaced fails, which is
	// not an error here). A loaded machine can take seconds for a page: the
	// limit is a time, and a generous one.
	deadline := time.Now().Add(2 * time.Minute)
	for done := 0; done < 2; {
		if time.Now().After(deadline) {
			b.t.Fatalf("%s: the page did not finish loading in 2 minutes", what)
		}
		state, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body ? document.readyState : "loading"`))
		if err == nil && state == "complete" {
			done++
			continue
		}
		done = 0
		time.Sleep(50 * time.Millisecond)
	}
	return int(res.Status)
}

// bodyText is the page's visible text, read by script.
func (b *browser) bodyText() string {
	b.t.Helper()
	s, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`document.body.innerText`))
	if err != nil {
		b.t.Fatal(err)
	}
	return s
}

// errorsTied checks the page open in the browser: every control marked
// aria-invalid is described by visible error text, and every field error
// (.error[id$=-error]) is pointed at by an invalid control. It returns how
// many controls are marked.
func (b *browser) errorsTied(page string) int {
	b.t.Helper()
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => {
		const bad = [];
		const inv = [...document.querySelectorAll('[aria-invalid="true"]')];
		for (const el of inv) {
			const ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
			const shown = ids.map(id => document.getElementById(id))
				.filter(e => e && e.classList.contains("error") && e.getClientRects().length > 0 && e.textContent.trim() !== "");
			if (shown.length === 0) bad.push((el.name || el.id) + " is aria-invalid but described by no visible error (" + ids.join(" ") + ")");
		}
		for (const e of document.querySelectorAll('.error[id$="-error"]:not(#form-error)')) {
			if (!document.querySelector('[aria-invalid="true"][aria-describedby~="' + e.id + '"]')) bad.push("#" + e.id + " (" + e.textContent.trim() + ") is no field's error");
		}
		return JSON.stringify({n: inv.length, bad});
	})()`))
	if err != nil {
		b.t.Fatalf("%s: %v", page, err)
	}
	var r struct {
		N   int
		Bad []string
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		b.t.Fatal(err)
	}
	for _, s := range r.Bad {
		b.t.Errorf("%s: %s", page, s)
	}
	return r.N
}

// widest names the innermost elements that reach past the right edge.
func (b *browser) widest() string {
	s, _ := chromedp.Run(b.ctx, chromedp.Evaluate[string](`(() => {
		const w = document.documentElement.clientWidth, out = [];
		for (const el of document.querySelectorAll("body *")) {
			if (el.getBoundingClientRect().right <= w + 1) continue;
			if ([...el.children].some(c => c.getBoundingClientRect().right > w + 1)) continue;
			out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className ? "." + String(el.className).split(" ").join(".") : "") + " (" + Math.round(el.getBoundingClientRect().right) + ")");
			if (out.length === 4) break;
		}
		return out.join(", ");
	})()`))
	return s
}

// checkWidths audits the page open in the browser at 1366 and 390 px
// (resizing it, not reloading it: a page shown after a POST stays as it
// is): no serious or critical axe violation at either, no sideways scroll
// on the phone.
func (b *browser) checkWidths(axe, page string) {
	b.t.Helper()
	for _, width := range []int64{1366, 390} {
		b.do("resize", chromedp.EmulateViewport(width, 900))
		if width == 390 {
			if n := b.sideways(); n > 0 {
				b.t.Errorf("%s scrolls %d px sideways at 390 px, past the edge: %s", page, n, b.widest())
			}
		}
		b.audit(axe, fmt.Sprintf("%s at %d px", page, width))
	}
	b.do("resize", chromedp.EmulateViewport(1366, 900))
}

// TestBrowserFormsWithErrors posts every main form with values the server
// refuses, in Chromium, and checks the page that comes back at 1366 and 390
// px: each field in error has aria-invalid and an aria-describedby that
// resolves to its visible error text (and no error text is left untied),
// axe-core finds nothing serious or critical, and the phone does not scroll
// sideways. Then every main page, at both widths.
func TestBrowserFormsWithErrors(t *testing.T) {
	b := newBrowser(t)
	axe := axeScript(t)
	ctx := context.Background()

	// Before the first account: the setup page, with a password refused.
	b.open("/setup", http.StatusOK)
	b.post("setup", `form[action="/setup"]`, map[string]string{"email": "ada@example.org", "name": "Ada", "password": "short", "password_confirm": "other"})
	if n := b.errorsTied("/setup"); n == 0 {
		t.Errorf("/setup: no field marked in error")
	}
	b.checkWidths(axe, "/setup with errors")

	u := store.User{Email: "ada@example.org", Name: "Ada", Role: store.RoleAdmin}
	if err := b.st.CreateUser(ctx, &u, testPassword); err != nil {
		t.Fatal(err)
	}
	// A wrong password: the error is tied to both fields.
	b.open("/login", http.StatusOK)
	b.post("sign in wrongly", `form[action="/login"]`, map[string]string{"email": u.Email, "password": "not the password at all"})
	if n := b.errorsTied("/login"); n != 2 {
		t.Errorf("/login with a wrong password: %d fields marked in error, want 2", n)
	}
	b.checkWidths(axe, "/login with errors")
	b.open("/login", http.StatusOK)
	b.post("sign in", `form[action="/login"]`, map[string]string{"email": u.Email, "password": testPassword})

	a := tracker.Authority{Name: "Barsetshire County Council", Jurisdiction: tracker.JurisdictionEngland, Email: "foi@barsetshire.gov.uk"}
	if err := b.st.CreateAuthority(ctx, &a); err != nil {
		t.Fatal(err)
	}
	r := tracker.Request{Title: "Speed camera contracts", AuthorityID: a.ID}
	if err := b.st.CreateRequest(ctx, &r, tracker.MustParseDate("2026-01-05")); err != nil {
		t.Fatal(err)
	}
	reqPage := fmt.Sprintf("/requests/%d", r.ID)
	doc := tracker.Document{RequestID: r.ID, Disposition: tracker.DispositionReleased, Filename: "contract.txt", Description: "The contract"}
	if err := b.st.AddDocument(ctx, &doc, strings.NewReader("The contract, in full."), 0); err != nil {
		t.Fatal(err)
	}
	docPage := fmt.Sprintf("/documents/%d", doc.ID)

	forms := []struct {
		page, form string
		values     map[string]string
	}{
		{"/requests/new", `form[action="/requests"]`, map[string]string{"title": "", "authority_id": "", "sent_on": "2026-02-30"}},
		{reqPage + "/edit", fmt.Sprintf(`form[action="/requests/%d"]`, r.ID), map[string]string{"title": ""}},
		{"/authorities/new", `form[action="/authorities"]`, map[string]string{"name": "", "email": "not an address", "website": "ftp://x"}},
		{fmt.Sprintf("/authorities/%d/edit", a.ID), fmt.Sprintf(`form[action="/authorities/%d"]`, a.ID), map[string]string{"name": ""}},
		{reqPage, `#event-response_received form`, map[string]string{"date": "", "outcome": ""}},
		{reqPage, fmt.Sprintf(`form[action="/requests/%d/documents"]`, r.ID), map[string]string{"disposition": "released"}},
		{"/censor", `form[action="/censor"]`, map[string]string{"pattern": "([", "regexp": "1"}},
		{reqPage, `form[action="/censor"]`, map[string]string{"pattern": ""}},
		{docPage, fmt.Sprintf(`form[action="/documents/%d"]`, doc.ID), map[string]string{"exemptions": "s999(9)"}},
		{reqPage, `#event-extension_claimed form`, map[string]string{"date": "2026-01-20", "new_due_date": "2025-01-01", "reason": ""}},
		{"/authorities/import", `form[action="/authorities/import"]`, map[string]string{"csv": "Name,Jurisdiction\n,nowhere\n"}},
		{"/timeline/import", `form[action="/timeline/import"]`, map[string]string{}},
		{"/timeline/new", `form[action="/timeline"]`, map[string]string{"date": "not a date", "title": ""}},
		{"/settings", `form[action="/settings/tokens"]`, map[string]string{"name": ""}},
		{"/settings", `form[action="/settings/password"]`, map[string]string{"current_password": "wrong", "new_password": "a", "new_password_confirm": "b"}},
		{"/admin/users", `form[action="/admin/users"]`, map[string]string{"email": "not an address", "password": "x"}},
		{"/admin/mail", `form[action="/admin/mail"]`, map[string]string{"port": "99999", "schedule": "every now and then"}},
		{"/admin/reminders", `form[action="/admin/reminders"]`, map[string]string{"schedule": "every now and then", "timezone": "Mars/Olympus"}},
		{"/admin/reminders", `form[action="/admin/reminders/smtp"]`, map[string]string{"host": "smtp.example.org", "port": "99999", "from": "not an address"}},
		{"/batches/new", `form[action="/batches"]`, map[string]string{"title": "", "authority_id": ""}},
		{reqPage + "/letters/chaser", fmt.Sprintf(`form[action="/requests/%d/letters/chaser"]`, r.ID), map[string]string{"sent_on": "", "@submit": "#sent-myself-button"}},
	}
	for _, f := range forms {
		b.open(f.page, http.StatusOK)
		status := b.post(f.page+" "+f.form, f.form, f.values)
		where := fmt.Sprintf("%s (%s, %d)", f.page, f.form, status)
		// A refusal either shows the form again (4xx) or goes back to
		// the page that has it, with the message on top (censor rules).
		if status < 400 && !strings.Contains(b.bodyText(), "not added") {
			t.Errorf("%s: the invalid form was accepted", where)
			continue
		}
		if n := b.errorsTied(where); n == 0 {
			t.Errorf("%s: no field marked in error; the page says:\n%s", where, b.bodyText())
		}
		b.checkWidths(axe, where)
	}

	pages := []string{"/", "/requests", reqPage, docPage, docPage + "/provenance", reqPage + "/letters", reqPage + "/letters/chaser", reqPage + "/edit", "/requests/new",
		"/authorities", fmt.Sprintf("/authorities/%d", a.ID), "/authorities/new", "/authorities/import", "/exemptions",
		"/search?q=camera", "/insight", "/documents", "/censor", "/timeline", "/timeline/new", "/timeline/import", "/audit",
		"/mail", "/batches", "/batches/new", "/notifications", "/notifications/settings", "/settings",
		"/admin/users", "/admin/letters", "/admin/reminders", "/admin/mail", "/admin/reminders/interrupted"}
	for _, p := range pages {
		b.open(p, http.StatusOK)
		if strings.Contains(p, "?") {
			p = strings.ReplaceAll(p, "?", " ?")
		}
		b.checkWidths(axe, p)
	}
}
