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
// needs. A route is added here and nowhere else (TestRoutesOnlyInRoutesGo);
// its handler lives in a file of its own.
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

	// Feeds: fetched by programs that have no session. The audit
	// checkpoint is public; the calendar feed's secret address is its
	// credential.
	public.GET("/audit/checkpoint", s.serveAuditCheckpoint)
	public.GET("/calendar/:file", s.serveCalendarFeed)

	// Signed-in viewer: read everything; manage one's own account,
	// notifications and watches.
	viewer.POST("/logout", s.logout)
	viewer.GET("/", s.showDashboard)
	viewer.GET("/requests", s.showRequestList)
	viewer.GET("/requests/export.csv", s.exportRequestsCSV)
	viewer.GET("/requests/:id", s.showRequestPage)
	viewer.GET("/requests/:id/letters", s.showRequestLetters)
	viewer.POST("/requests/:id/watch", s.watchRequest)
	viewer.GET("/requests/:id/bundle.zip", s.downloadRequestBundle)
	viewer.GET("/authorities", s.showAuthorityList)
	viewer.GET("/authorities/:id", s.showAuthorityPage)
	viewer.GET("/exemptions", s.showExemptionList)
	viewer.GET("/search", s.showSearchPage)
	viewer.GET("/insight", s.showInsightPage)
	viewer.GET("/insight/:file", s.downloadInsightChart)
	viewer.GET("/documents", s.showDocumentList)
	viewer.GET("/documents/:id", s.showDocumentPage)
	viewer.GET("/documents/:id/download", s.downloadDocument)
	viewer.GET("/documents/:id/provenance", s.showDocumentProvenance)
	viewer.GET("/censor", s.showCensorRules)
	viewer.GET("/timeline", s.showTimeline)
	viewer.GET("/timeline.json", s.exportTimelineJSON)
	viewer.GET("/timeline/timelinejs.json", s.exportTimelineJS)
	viewer.GET("/timeline/events/:id", s.showTimelineEvent)
	viewer.GET("/timeline/events/:id/bundle.zip", s.downloadEventBundle)
	viewer.GET("/audit", s.showAuditPage)
	viewer.GET("/mail", s.showMailList)
	viewer.GET("/mail/:id", s.showMailMessage)
	viewer.GET("/mail/:id/raw", s.downloadRawMail)
	viewer.GET("/batches", s.showBatchList)
	viewer.GET("/batches/:id", s.showBatch)
	viewer.GET("/batches/:id/export.csv", s.exportBatchCSV)
	viewer.GET("/notifications", s.showNotifications)
	viewer.POST("/notifications/read", s.readNotifications)
	viewer.GET("/notifications/settings", s.showNotificationSettings)
	viewer.POST("/notifications/settings", s.saveNotificationSettings)
	viewer.POST("/notifications/calendar", s.createCalendarFeed)
	viewer.POST("/notifications/calendar/revoke", s.revokeCalendarFeed)
	viewer.GET("/notifications/:id", s.followNotification)
	viewer.POST("/notifications/:id/open", s.openNotification)
	viewer.GET("/settings", s.showSettingsPage)
	viewer.POST("/settings/password", s.changePassword)
	viewer.POST("/settings/sign-out-everywhere", s.signOutEverywhere)
	viewer.POST("/settings/tokens", s.createAPIToken)
	viewer.POST("/settings/tokens/:id/delete", s.deleteAPIToken)

	// Editor: create and change requests, events, documents, authorities,
	// the timeline, mail filing, letters and batches.
	editor.GET("/requests/new", s.showCreateRequestPage)
	editor.POST("/requests", s.submitRequest)
	editor.GET("/requests/:id/edit", s.showEditRequestPage)
	editor.POST("/requests/:id", s.updateRequest)
	editor.POST("/requests/:id/owner", s.setRequestOwner)
	editor.POST("/requests/:id/events", s.recordEvent)
	editor.GET("/requests/:id/events/:event/delete", s.confirmDeleteEvent)
	editor.POST("/requests/:id/events/:event/delete", s.deleteEvent)
	editor.POST("/requests/:id/documents", s.uploadDocument).limit(s.cfg.MaxUploadBytes + uploadBodyOverhead)
	editor.GET("/requests/:id/letters/:kind", s.showLetterDraft)
	editor.POST("/requests/:id/letters/:kind", s.submitLetter)
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
	editor.POST("/censor", s.addCensorRules)
	editor.POST("/censor/:id/delete", s.deleteCensorRule)
	editor.POST("/censor/requester", s.saveRequesterDetails)
	editor.GET("/timeline/new", s.showNewTimelineEvent)
	editor.GET("/timeline/import", s.showTimelineImport)
	editor.POST("/timeline/import", s.importTimelineEvents).limit(timelineImportLimit)
	editor.POST("/timeline", s.createTimelineEvent)
	editor.GET("/timeline/events/:id/edit", s.showEditTimelineEvent)
	editor.POST("/timeline/events/:id", s.updateTimelineEvent)
	editor.POST("/timeline/events/:id/delete", s.deleteTimelineEvent)
	editor.POST("/timeline/links", s.linkToTimelineEvent)
	editor.POST("/timeline/links/:id/delete", s.unlinkTimelineEvent)
	editor.POST("/audit/verify", s.verifyAudit)
	editor.POST("/mail/:id/assign", s.assignMail)
	editor.POST("/mail/:id/move", s.moveMail)
	editor.POST("/mail/:id/not-foi", s.markMailNotFOI)
	editor.POST("/mail/:id/confirm", s.confirmMailProposal)
	editor.POST("/mail/:id/dismiss", s.dismissMailProposal)
	editor.POST("/outgoing/:id/retry", s.retryOutgoing)
	// Sends interrupted midway (the process died): settled by hand.
	editor.POST("/outgoing/:id/mark-sent", s.markOutgoingSent)
	editor.POST("/outgoing/:id/send-again", s.sendOutgoingAgain)
	editor.GET("/batches/new", s.showNewBatchPage)
	editor.POST("/batches", s.submitBatch)
	editor.POST("/batches/:id/send", s.sendBatch)

	// Admin: users, letter templates, reminders and outbound mail, the
	// mailbox.
	admin.GET("/admin/users", s.showUserList)
	admin.POST("/admin/users", s.createUser)
	admin.POST("/admin/users/:id", s.updateUser)
	admin.GET("/admin/letters", s.showLetterTemplates)
	admin.POST("/admin/letters/:kind", s.saveLetterTemplate)
	admin.POST("/admin/letters/:kind/reset", s.resetLetterTemplate)
	admin.GET("/admin/reminders", s.showReminderSettings)
	admin.POST("/admin/reminders", s.saveReminderSettings)
	admin.POST("/admin/reminders/smtp", s.saveSMTPSettings)
	admin.POST("/admin/reminders/test-email", s.sendTestEmail)
	admin.POST("/admin/reminders/run", s.runRemindersNow)
	admin.GET("/admin/reminders/interrupted", s.showInterruptedSends)
	admin.POST("/admin/reminders/interrupted/:id", s.resolveReminderEmail)
	admin.GET("/admin/mail", s.showMailSettings)
	admin.POST("/admin/mail", s.saveMailSettings)
	admin.POST("/admin/mail/sync", s.runMailSyncNow)

	// API token: the JSON API under /api/v1, authenticated by an API token
	// (Authorization: Bearer) or a session; a token acts with its owner's
	// level (viewer reads, editor writes).
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
