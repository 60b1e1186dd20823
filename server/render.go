package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/ui"
)

// view is what every page template gets: the common parts (user, CSRF
// token, flash message, validation messages) and the page's own Data.
type view struct {
	Title   string
	Section string // the navigation entry to highlight
	User    *store.User
	CSRF    string
	Flash   *flash
	// Error is a message for the whole form; Fields the per-field messages
	// (tracker.Error.Fields), shown next to each field.
	Error     string
	Fields    map[string]string
	RequestID string
	// Unread (the navigation's badge) and AuditHead (the footer) are read
	// from the store before rendering: templates never query.
	Unread    int
	AuditHead string
	Data      any
}

// parseTemplates parses every page with the layout and the partials, once,
// at start-up: a broken template stops the server from starting.
func (s *Server) parseTemplates() (map[string]*template.Template, error) {
	fsys := ui.Templates()
	pages, err := fs.Glob(fsys, "pages/*.html")
	if err != nil || len(pages) == 0 {
		return nil, fmt.Errorf("server: no page templates found: %v", err)
	}
	out := map[string]*template.Template{}
	for _, p := range pages {
		name := strings.TrimSuffix(path.Base(p), ".html")
		t, err := template.New(name).Funcs(s.templateFuncs()).ParseFS(fsys, "layout/*.html", "partials/*.html", p)
		if err != nil {
			return nil, fmt.Errorf("server: unable to parse template %s: %w", p, err)
		}
		if t.Lookup("content") == nil {
			return nil, fmt.Errorf("server: template %s defines no \"content\"", p)
		}
		out[name] = t
	}
	return out, nil
}

// render executes a page into a buffer (so a template error is a clean 500,
// not half a page) and sends it with the given status.
func (s *Server) render(c echo.Context, status int, page string, v *view) error {
	t, ok := s.pages[page]
	if !ok {
		return fmt.Errorf("server: no template %q", page)
	}
	if v.User == nil {
		v.User = currentUser(c)
	}
	s.fillView(c, v)
	return s.write(c, status, t, v)
}

// renderPublic renders a page for anyone: no user, no navigation, nothing
// about who is signed in, even when someone is.
func (s *Server) renderPublic(c echo.Context, status int, page string, v *view) error {
	t, ok := s.pages[page]
	if !ok {
		return fmt.Errorf("server: no template %q", page)
	}
	v.User = nil
	s.fillView(c, v)
	return s.write(c, status, t, v)
}

func (s *Server) fillView(c echo.Context, v *view) {
	v.CSRF = csrfToken(c)
	v.RequestID = requestID(c)
	v.Unread = s.unreadNotifications(v.User)
	v.AuditHead = s.auditHeadShort()
	if v.Flash == nil {
		v.Flash = s.popFlash(c)
	}
}

func (s *Server) write(c echo.Context, status int, t *template.Template, v *view) error {
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "base", v); err != nil {
		return fmt.Errorf("server: unable to render %s: %w", t.Name(), err)
	}
	return c.HTMLBlob(status, buf.Bytes())
}

// flash is a one-time message shown on the next page (after a redirect).
type flash struct {
	Kind    string `json:"k"` // ok, error, info
	Message string `json:"m"`
	// Field names the form field an error is about, when the page it
	// leads to has that form: the field is then tied to the message
	// (flashInvalid).
	Field string `json:"f,omitempty"`
}

const flashCookie = "foitrack_flash"

// setFlash keeps a message for the next page the browser loads.
func (s *Server) setFlash(c echo.Context, kind, format string, args ...any) {
	s.keepFlash(c, flash{Kind: kind, Message: fmt.Sprintf(format, args...)})
}

func (s *Server) keepFlash(c echo.Context, f flash) {
	b, _ := json.Marshal(f)
	s.setCookie(c, flashCookie, base64.RawURLEncoding.EncodeToString(b), time.Minute)
}

// popFlash reads and clears the message, if any.
func (s *Server) popFlash(c echo.Context) *flash {
	ck, err := c.Cookie(flashCookie)
	if err != nil || ck.Value == "" {
		return nil
	}
	s.clearCookie(c, flashCookie)
	b, err := base64.RawURLEncoding.DecodeString(ck.Value)
	if err != nil {
		return nil
	}
	var f flash
	if json.Unmarshal(b, &f) != nil || f.Message == "" {
		return nil
	}
	if f.Kind != "ok" && f.Kind != "error" && f.Kind != "info" {
		f.Kind = "info"
	}
	return &f
}

// redirectWithFlash is the end of a successful POST: a message and a
// redirect (303, so a reload does not post again).
func (s *Server) redirectWithFlash(c echo.Context, to, kind, format string, args ...any) error {
	s.setFlash(c, kind, format, args...)
	return c.Redirect(http.StatusSeeOther, to)
}

// redirectWithFieldError is the end of a POST refused because of one
// field, on a page that shows its form again after the redirect: the
// message is tied to the field there (flashInvalid).
func (s *Server) redirectWithFieldError(c echo.Context, to, field, format string, args ...any) error {
	s.keepFlash(c, flash{Kind: "error", Message: fmt.Sprintf(format, args...), Field: field})
	return c.Redirect(http.StatusSeeOther, to)
}

// asset is one embedded static file with its content hash (for cache busting).
type asset struct {
	body        []byte
	contentType string
	hash        string
}

func loadAssets() (map[string]asset, error) {
	out := map[string]asset{}
	err := fs.WalkDir(ui.Static(), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(ui.Static(), p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ct := mime.TypeByExtension(path.Ext(p))
		if ct == "" {
			ct = "application/octet-stream"
		}
		out[p] = asset{body: b, contentType: ct, hash: hex.EncodeToString(sum[:])[:12]}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("server: unable to load static assets: %w", err)
	}
	return out, nil
}

// assetURL is the URL of a static file, with its hash so that a new
// version is fetched at once while an unchanged one stays cached.
func (s *Server) assetURL(name string) (string, error) {
	a, ok := s.assets[name]
	if !ok {
		return "", fmt.Errorf("no static asset %q", name)
	}
	return "/static/" + name + "?v=" + a.hash, nil
}
