// Package server is foitrack's web app: an echo v4 application whose
// handlers only translate HTTP into calls to the store and the tracker domain
// and render the answer (HTML from ui's templates, or JSON under /api/v1).
//
// Layout: routes.go lists every route by the access it needs; each handler
// action has its own file (request_show.go, request_submit.go, …);
// middleware.go, auth.go, csrf.go hold the chain; errors.go turns every
// error into a status and a page (or a JSON body); render.go the templates.
package server

import (
	"context"
	"errors"
	"html/template"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// Config is what the composition root (cmd/foitrack serve) gives the server.
type Config struct {
	Store   *store.Store
	BaseURL string // public URL; https:// makes cookies Secure
	Logger  *slog.Logger
	DataDir string

	// Now is the clock that decides "today" (tests fix it); default time.Now.
	Now func() time.Time
	// Location is the time zone "today" is reckoned in; default time.Local.
	Location *time.Location
	// MaxUploadBytes bounds one document upload (default store.DefaultMaxDocumentBytes).
	MaxUploadBytes int64
	// TrustedProxies are the reverse proxies whose X-Forwarded-For is
	// believed: a request from one of them counts (for the login rate limit,
	// sessions and logs) from the nearest address in the header that is not
	// a trusted proxy. Empty: the connection's address, always.
	TrustedProxies []*net.IPNet
	// SlowAggregate: a page's kept aggregate (insight, the exemptions
	// catalogue) whose last working out took longer than this is no longer
	// worked out while a page waits after a write: the last figures are
	// shown, with their time, and worked out again in the background (see
	// untilWritten). 0: 50 ms; negative: always worked out while the page
	// waits.
	SlowAggregate time.Duration
	// Downloads is how many timeline downloads are written at once (each
	// holds a chunk of events, its buffers and a reader connection for
	// its whole length); one more waits for a turn. 0: DefaultDownloads.
	Downloads int
}

// DefaultDownloads is Config.Downloads's default.
const DefaultDownloads = 2

// Server is the web app.
type Server struct {
	cfg    Config
	st     *store.Store
	log    *slog.Logger
	echo   *echo.Echo
	secure bool // BaseURL is https: cookies are Secure, HSTS is sent

	pages  map[string]*template.Template
	assets map[string]asset

	// levels records the access each route needs ("GET /path" → level),
	// so that tests can check every route against it.
	levels map[string]level
	// bodyLimits raises the body limit of a few routes ("POST /path" → bytes).
	bodyLimits map[string]int64
	// searchWalkBudget, when not 0, is how many matches a search with
	// filters looks through at a time (store.SearchOptions.WalkBudget):
	// the tests' small one.
	searchWalkBudget int

	stop     chan struct{}
	stopOnce sync.Once
	wg       sync.WaitGroup

	// The dashboard's insight charts, worked out in the background
	// (insight_page.go).
	insightMu       sync.Mutex
	insightCache    *chartSet
	insightCachedAt time.Time
	// startupPassDone is closed when the first of those passes (started
	// by New) has ended: tests wait for it, so that a pass over the data
	// as it was at start-up does not land in the middle of what they check.
	startupPassDone chan struct{}
	// Aggregates kept until the next write (memo.go).
	memoMu sync.Mutex
	memos  map[string]memo
	// memoRefreshing: an aggregate is being worked out in the background
	// (one at a time).
	memoRefreshing bool
	// downloads holds a token for each timeline download being written
	// (Config.Downloads); downloadsWaiting counts those waiting for one.
	downloads        chan struct{}
	downloadsWaiting atomic.Int64
	// exports are the timeline downloads kept (timeline_export_kept.go).
	exports *keptExports
}

// New builds the server: it parses every template (a broken template fails
// here, not on the first request) and registers the routes.
func New(cfg Config) (*Server, error) {
	if cfg.Store == nil {
		return nil, errors.New("server: a store is required")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Location == nil {
		cfg.Location = time.Local
	}
	if cfg.MaxUploadBytes <= 0 {
		cfg.MaxUploadBytes = store.DefaultMaxDocumentBytes
	}
	if cfg.Downloads <= 0 {
		cfg.Downloads = DefaultDownloads
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	s := &Server{cfg: cfg, st: cfg.Store, log: cfg.Logger, levels: map[string]level{}, bodyLimits: map[string]int64{}, stop: make(chan struct{}),
		startupPassDone: make(chan struct{}), downloads: make(chan struct{}, cfg.Downloads)}
	if u, err := url.Parse(cfg.BaseURL); err == nil && u.Scheme == "https" {
		s.secure = true
	}
	var err error
	if s.assets, err = loadAssets(); err != nil {
		return nil, err
	}
	if s.pages, err = s.parseTemplates(); err != nil {
		return nil, err
	}
	s.exports = newKeptExports(cfg.DataDir, s.log)
	s.echo = s.newEcho()
	s.registerRoutes()
	s.wg.Add(2)
	go s.cleanSessions()
	go s.refreshDashboardInsight()
	s.background("system", s.keepSearchTerms)
	return s, nil
}

// Handler is the HTTP handler (the echo instance).
func (s *Server) Handler() http.Handler { return s.echo }

// Close stops the server's background work (not the HTTP server, which the
// caller shuts down).
func (s *Server) Close() {
	s.stopOnce.Do(func() { close(s.stop) })
	s.wg.Wait()
	s.exports.close()
}

// cleanSessions deletes ended sessions and old login attempts every hour.
func (s *Server) cleanSessions() {
	defer s.wg.Done()
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			if n, err := s.st.DeleteExpiredSessions(ctx); err != nil {
				s.log.Error("unable to delete expired sessions", "err", err)
			} else if n > 0 {
				s.log.Info("expired sessions deleted", "count", n)
			}
			cancel()
		}
	}
}

// today is the current day in the configured time zone.
func (s *Server) today() tracker.Date { return tracker.DateOf(s.cfg.Now().In(s.cfg.Location)) }

// absURL is path made absolute with the base URL.
func (s *Server) absURL(path string) string { return s.cfg.BaseURL + path }
