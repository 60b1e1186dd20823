package server

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// level is the access a route needs.
type level int

const (
	levelPublic level = iota // anyone, no session
	levelViewer              // any signed-in user (read)
	levelEditor              // editors and admins (create and change)
	levelAdmin               // admins (users and settings)
)

func (l level) String() string {
	return [...]string{"public", "viewer", "editor", "admin"}[l]
}

// Body limits: forms are small; only the upload routes take more.
const (
	formBodyLimit      = 2 << 20  // every request not listed below
	authorityCSVLimit  = 34 << 20 // tracker.MaxAuthorityCSVBytes and the multipart envelope
	uploadBodyOverhead = 1 << 20  // multipart envelope around a document
)

// registerRoutes is the one list of every route, grouped by the access it
// needs. A route is added here and nowhere else; its handler lives in a
// file of its own. Features added later (mail holding pen, timeline,
// reminders) add their routes to the group they belong to.
func (s *Server) registerRoutes() {
	public := s.group(levelPublic)
	viewer := s.group(levelViewer)
	editor := s.group(levelEditor)
	admin := s.group(levelAdmin)

	// Public: health, assets, sign-in, first-run setup, public request pages.
	public.GET("/healthz", s.healthCheck)
	public.GET("/static/:file", s.serveAsset)
	public.GET("/login", s.showLoginPage)
	public.POST("/login", s.submitLogin)
	public.GET("/setup", s.showSetupPage)
	public.POST("/setup", s.submitSetup)
	public.GET("/p/:slug", s.showPublicRequestPage)
	public.GET("/p/:slug/documents/:sha256", s.downloadPublicDocument)
	public.GET("/p/search", s.showPublicSearchPage)
	public.GET("/audit/checkpoint", s.serveAuditCheckpoint)

	// Viewer: read everything; manage one's own account.
	viewer.POST("/logout", s.logout)
	viewer.GET("/", s.showDashboard)
	viewer.GET("/requests", s.showRequestList)
	viewer.GET("/requests/export.csv", s.exportRequestsCSV)
	viewer.GET("/requests/:id", s.showRequestPage)
	viewer.GET("/authorities", s.showAuthorityList)
	viewer.GET("/authorities/:id", s.showAuthorityPage)
	viewer.GET("/exemptions", s.showExemptionList)
	viewer.GET("/search", s.showSearchPage)
	viewer.GET("/insight", s.showInsightPage)
	viewer.GET("/insight/:file", s.downloadInsightChart)
	viewer.GET("/documents", s.showDocumentList)
	viewer.GET("/documents/:id", s.showDocumentPage)
	viewer.GET("/documents/:id/download", s.downloadDocument)
	viewer.GET("/settings", s.showSettingsPage)
	viewer.POST("/settings/password", s.changePassword)
	viewer.POST("/settings/sign-out-everywhere", s.signOutEverywhere)
	viewer.POST("/settings/tokens", s.createAPIToken)
	viewer.POST("/settings/tokens/:id/delete", s.deleteAPIToken)

	// Editor: create and change requests, events, documents, authorities.
	editor.GET("/requests/new", s.showCreateRequestPage)
	editor.POST("/requests", s.submitRequest)
	editor.GET("/requests/:id/edit", s.showEditRequestPage)
	editor.POST("/requests/:id", s.updateRequest)
	editor.POST("/requests/:id/events", s.recordEvent)
	editor.GET("/requests/:id/events/:event/delete", s.confirmDeleteEvent)
	editor.POST("/requests/:id/events/:event/delete", s.deleteEvent)
	editor.POST("/requests/:id/documents", s.uploadDocument).limit(s.cfg.MaxUploadBytes + uploadBodyOverhead)
	editor.POST("/documents/:id", s.updateDocument)
	editor.POST("/documents/:id/publish", s.publishDocument)
	editor.POST("/documents/:id/reextract", s.reextractDocument)
	editor.POST("/documents/:id/delete", s.deleteDocument)
	editor.GET("/authorities/new", s.showCreateAuthorityPage)
	editor.POST("/authorities", s.submitAuthority)
	editor.GET("/authorities/import", s.showImportAuthoritiesPage)
	editor.POST("/authorities/import", s.importAuthorities).limit(authorityCSVLimit)
	editor.GET("/authorities/:id/edit", s.showEditAuthorityPage)
	editor.POST("/authorities/:id", s.updateAuthority)
	editor.POST("/authorities/:id/delete", s.deleteAuthority)
	viewer.GET("/censor", s.showCensorRules)
	editor.POST("/censor", s.addCensorRules)
	editor.POST("/censor/:id/delete", s.deleteCensorRule)
	editor.POST("/censor/requester", s.saveRequesterDetails)

	// Admin: users.
	admin.GET("/admin/users", s.showUserList)
	admin.POST("/admin/users", s.createUser)
	admin.POST("/admin/users/:id", s.updateUser)

	// JSON API, authenticated by API tokens (Authorization: Bearer).
	viewer.GET("/api/v1/authorities", s.apiListAuthorities)
	viewer.GET("/api/v1/authorities/:id", s.apiGetAuthority)
	viewer.GET("/api/v1/requests", s.apiListRequests)
	viewer.GET("/api/v1/requests/:id", s.apiGetRequest)
	viewer.GET("/api/v1/requests/:id/events", s.apiListEvents)
	viewer.GET("/api/v1/documents", s.apiListDocuments)
	viewer.GET("/api/v1/documents/:id", s.apiGetDocument)
	viewer.GET("/api/v1/documents/:id/content", s.downloadDocument)
	viewer.GET("/api/v1/search", s.apiSearch)
	viewer.GET("/api/v1/mail", s.apiListMail)
	viewer.GET("/api/v1/mail/:id", s.apiGetMail)
	editor.POST("/api/v1/requests", s.apiCreateRequest)
	editor.POST("/api/v1/requests/:id/events", s.apiRecordEvent)
	editor.POST("/api/v1/mail/:id/file", s.apiFileMail)

	// Timeline events, links, provenance, evidence bundles, the audit page.
	s.registerTimelineRoutes(viewer, editor)

	// Reminders, notifications, letters, outbound mail, batches, calendar feed.
	s.registerReminderRoutes(public, viewer, editor, admin)

	// Sends interrupted midway (the process died): settled by hand.
	editor.POST("/outgoing/:id/mark-sent", s.markOutgoingSent)
	editor.POST("/outgoing/:id/send-again", s.sendOutgoingAgain)
	admin.GET("/admin/reminders/interrupted", s.showInterruptedSends)
	admin.POST("/admin/reminders/interrupted/:id", s.resolveReminderEmail)

	// Mail: the holding pen, messages, proposals, mailbox settings.
	s.registerMailRoutes(viewer, editor, admin)
}

// routeGroup adds routes that need one access level.
type routeGroup struct {
	s     *Server
	level level
}

func (s *Server) group(l level) routeGroup { return routeGroup{s: s, level: l} }

// registered is a route just added, for per-route options.
type registered struct {
	s   *Server
	key string
}

func (g routeGroup) add(method, path string, h echo.HandlerFunc) registered {
	var mw []echo.MiddlewareFunc
	if g.level > levelPublic {
		mw = append(mw, g.s.requireLevel(g.level))
	}
	g.s.echo.Add(method, path, h, mw...)
	key := method + " " + path
	g.s.levels[key] = g.level
	return registered{s: g.s, key: key}
}

// GET adds a page and, with the same handler and access, its HEAD (health
// checks and link checkers ask HEAD; net/http sends no body for it).
func (g routeGroup) GET(path string, h echo.HandlerFunc) registered {
	g.add(http.MethodHead, path, h)
	return g.add(http.MethodGet, path, h)
}

func (g routeGroup) POST(path string, h echo.HandlerFunc) registered {
	return g.add(http.MethodPost, path, h)
}

// limit raises the body limit of the route (upload routes only).
func (r registered) limit(n int64) { r.s.bodyLimits[r.key] = n }
