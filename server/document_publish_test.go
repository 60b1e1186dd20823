package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/extract"
	"github.com/foitrack/foitrack/internal/testenv"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// TestPublishedDocumentOnPublicPage follows a released document from
// "listed but not offered" to downloadable by anyone, and back: withheld,
// unpublished, or of a private request, its address is a 404.
func TestPublishedDocumentOnPublicPage(t *testing.T) {
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	app.user("viewer@example.org", store.RoleViewer)
	a := app.authority("Borsetshire Police", tracker.JurisdictionEngland)
	r := app.request("Stop and search figures", a.ID, "2026-03-02", true)
	ctx := context.Background()
	// A real PDF: its text is scanned (pdftotext) before it is published.
	testenv.LookPath(t, "poppler-utils", "pdftotext")
	content := extract.SamplePDF("stop and search, 2025")
	d := tracker.Document{RequestID: r.ID, Filename: "stop-search-2025.pdf", MediaType: "application/pdf", Disposition: tracker.DispositionReleased}
	if err := app.st.AddDocument(ctx, &d, strings.NewReader(string(content)), 0); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(content)
	hash := hex.EncodeToString(sum[:])
	slug, err := app.st.EnsurePublicSlug(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	fileURL := "/p/" + slug + "/documents/" + hash
	anon := app.anonymous()

	// Not published yet: listed by name, not offered.
	res, body := anon.get("/p/" + slug)
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "stop-search-2025.pdf")
	if strings.Contains(body, fileURL) {
		t.Error("the public page offers a file nobody published")
	}
	res, _ = anon.get(fileURL)
	wantStatus(t, res, http.StatusNotFound)

	// A viewer may not publish; a post without the CSRF token is refused.
	viewer := app.login("viewer@example.org")
	res, _ = viewer.postForm(fmt.Sprintf("/documents/%d/publish", d.ID), url.Values{"publish": {"1"}})
	wantStatus(t, res, http.StatusForbidden)
	editor := app.login("editor@example.org")
	res, _ = editor.postForm(fmt.Sprintf("/documents/%d/publish", d.ID), url.Values{"publish": {"1"}, csrfField: {"forged"}})
	wantStatus(t, res, http.StatusForbidden)
	if got, _ := app.st.DocumentByID(ctx, d.ID); !got.PublishedAt.IsZero() {
		t.Fatal("published by a refused post")
	}

	// The editor publishes it: the page links it, anyone downloads the exact bytes as an attachment.
	res, _ = editor.postForm(fmt.Sprintf("/documents/%d/publish", d.ID), url.Values{"publish": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, body = editor.get(fmt.Sprintf("/documents/%d", d.ID))
	wantContains(t, body, "Published", fileURL, "Take off the public page")
	_, body = anon.get("/p/" + slug)
	wantContains(t, body, fileURL, hash)
	res, body = anon.get(fileURL)
	wantStatus(t, res, http.StatusOK)
	if body != string(content) {
		t.Errorf("public download = %q, want %q", body, content)
	}
	if cd := res.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, "stop-search-2025.pdf") {
		t.Errorf("Content-Disposition = %q", cd)
	}
	if ct := res.Header.Get("Content-Type"); ct != "application/pdf" {
		t.Errorf("Content-Type = %q", ct)
	}
	// A made-up hash, another request's slug, or the private request: 404.
	other := app.request("Another request", a.ID, "2026-03-02", true)
	otherSlug, _ := app.st.EnsurePublicSlug(ctx, other.ID)
	for _, path := range []string{"/p/" + slug + "/documents/" + strings.Repeat("0", 64), "/p/" + otherSlug + "/documents/" + hash} {
		res, _ = anon.get(path)
		wantStatus(t, res, http.StatusNotFound)
	}
	r.Visibility = tracker.VisibilityPrivate
	if err := app.st.UpdateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	res, _ = anon.get(fileURL)
	wantStatus(t, res, http.StatusNotFound)
	r.Visibility = tracker.VisibilityPublic
	if err := app.st.UpdateRequest(ctx, &r); err != nil {
		t.Fatal(err)
	}
	res, _ = anon.get(fileURL)
	wantStatus(t, res, http.StatusOK)

	// Marked withheld, it leaves the public page at once, and cannot be published again.
	res, _ = editor.postForm(fmt.Sprintf("/documents/%d", d.ID), url.Values{"disposition": {"withheld"}, "exemptions": {"s31(1)(a)"}})
	wantStatus(t, res, http.StatusSeeOther)
	res, _ = anon.get(fileURL)
	wantStatus(t, res, http.StatusNotFound)
	res, _ = editor.postForm(fmt.Sprintf("/documents/%d/publish", d.ID), url.Values{"publish": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	_, body = editor.get(fmt.Sprintf("/documents/%d", d.ID))
	wantContains(t, body, "never published")
	if got, _ := app.st.DocumentByID(ctx, d.ID); !got.PublishedAt.IsZero() {
		t.Error("a withheld document is published")
	}
	res, _ = anon.get(fileURL)
	wantStatus(t, res, http.StatusNotFound)
}

// A document whose text shows personal data is published only with a
// confirmation naming what the scan found; a confirmation for other
// findings does not publish; the page says redaction is not attempted.
func TestPublishAsksToConfirmPersonalData(t *testing.T) {
	testenv.LookPath(t, "poppler-utils", "pdftotext")
	app := newTestApp(t)
	app.user("editor@example.org", store.RoleEditor)
	a := app.authority("Borsetshire Police", tracker.JurisdictionEngland)
	r := app.request("Stop and search figures", a.ID, "2026-03-02", true)
	ctx := store.WithActor(context.Background(), "test")
	if err := app.st.PutSetting(ctx, store.RequesterDetailsSetting, store.RequesterDetails{Name: "Jane Privet", Address: "12 Acacia Avenue\nBorchester", Email: "jane@privet.example"}); err != nil {
		t.Fatal(err)
	}
	pdf := extract.SamplePDF("Jane Privet, 12 Acacia Avenue, BC1 2AB, 020 7946 0018, ao@pol.example")
	d := tracker.Document{RequestID: r.ID, Filename: "reply.pdf", MediaType: "application/pdf", Disposition: tracker.DispositionReleased}
	if err := app.st.AddDocument(ctx, &d, strings.NewReader(string(pdf)), 0); err != nil {
		t.Fatal(err)
	}
	editor := app.login("editor@example.org")
	_, body := editor.get(fmt.Sprintf("/documents/%d", d.ID))
	wantContains(t, body, "Redaction inside PDFs is not attempted")
	path := fmt.Sprintf("/documents/%d/publish", d.ID)
	res, body := editor.postForm(path, url.Values{"publish": {"1"}})
	wantStatus(t, res, http.StatusOK)
	wantContains(t, body, "What the scan found", "the requester&#39;s details: <strong class=\"break\">Jane Privet</strong>",
		"12 Acacia Avenue", "BC1 2AB", "020 7946 0018", "ao@pol.example", "Redaction inside PDFs (or any file) is not attempted",
		"it may be published with: the requester&#39;s details Jane Privet;")
	if got, _ := app.st.DocumentByID(ctx, d.ID); !got.PublishedAt.IsZero() {
		t.Fatal("published without a confirmation")
	}
	res, _ = editor.postForm(path, url.Values{"publish": {"1"}, "confirm": {"0123456789abcdef"}})
	if got, _ := app.st.DocumentByID(ctx, d.ID); !got.PublishedAt.IsZero() {
		t.Fatal("published with a confirmation naming other findings")
	}
	token := regexp.MustCompile(`name="confirm" value="([0-9a-f]+)"`).FindStringSubmatch(body)
	if token == nil {
		t.Fatal("no confirmation token on the page")
	}
	res, _ = editor.postForm(path, url.Values{"publish": {"1"}, "confirm": {token[1]}, "checked": {"1"}})
	wantStatus(t, res, http.StatusSeeOther)
	if got, _ := app.st.DocumentByID(ctx, d.ID); got.PublishedAt.IsZero() {
		t.Fatal("not published after the confirmation")
	}
}
