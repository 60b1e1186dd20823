package server

import (
	"errors"
	"fmt"
	"mime"
	"net"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"

	"github.com/foitrack/foitrack/tracker"
)

// contentSecurityPolicy allows nothing but this site's own stylesheet and
// images: no script at all (no page needs one), no inline style, no frames,
// and forms that post only here.
const contentSecurityPolicy = "default-src 'none'; style-src 'self'; img-src 'self' data:; " +
	"form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// clientIPExtractor is how echo finds the client's address. With no trusted
// proxies it is the connection's: a client must not choose the address that
// login rate limiting counts against. With some, X-Forwarded-For is read from
// the right, skipping those proxies only; echo's own defaults (trust every
// loopback, link-local and private address) are turned off, so that nothing
// else on the network can name its own address.
func clientIPExtractor(trusted []*net.IPNet) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, r := range trusted {
		opts = append(opts, echo.TrustIPRange(r))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// ParseTrustedProxies reads the --trust-proxy value: comma-separated CIDRs
// or single addresses, or "loopback" (127.0.0.0/8 and ::1). "" and "off"
// trust no proxy.
func ParseTrustedProxies(value string) ([]*net.IPNet, error) {
	if v := strings.TrimSpace(value); v == "" || strings.EqualFold(v, "off") {
		return nil, nil
	}
	var ranges []*net.IPNet
	for _, part := range strings.Split(value, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		if strings.EqualFold(part, "loopback") {
			for _, cidr := range []string{"127.0.0.0/8", "::1/128"} {
				_, r, _ := net.ParseCIDR(cidr)
				ranges = append(ranges, r)
			}
			continue
		}
		if ip := net.ParseIP(part); ip != nil {
			bits := 8 * net.IPv6len
			if ip4 := ip.To4(); ip4 != nil {
				ip, bits = ip4, 8*net.IPv4len
			}
			ranges = append(ranges, &net.IPNet{IP: ip, Mask: net.CIDRMask(bits, bits)})
			continue
		}
		_, r, err := net.ParseCIDR(part)
		if err != nil {
			return nil, fmt.Errorf("%q is neither an address, a CIDR range (10.0.0.0/8) nor \"loopback\"", part)
		}
		ranges = append(ranges, r)
	}
	return ranges, nil
}

// newEcho makes the echo instance with the middleware every request goes
// through, in this order: recover, request ID, log, security headers, body
// limit and form parsing, gzip, the session, CSRF. Access levels are
// checked per route (routes.go).
func (s *Server) newEcho() *echo.Echo {
	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.IPExtractor = clientIPExtractor(s.cfg.TrustedProxies)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.Error("panic", "err", err, "path", c.Request().URL.Path, "request_id", requestID(c), "stack", string(stack))
			return err
		},
	}))
	e.Use(middleware.RequestID())
	e.Use(middleware.RequestLoggerWithConfig(middleware.RequestLoggerConfig{
		LogStatus: true, LogURIPath: true, LogMethod: true, LogLatency: true, LogRequestID: true, LogError: true,
		HandleError: true, // the status logged is the one the error handler sends
		LogValuesFunc: func(c echo.Context, v middleware.RequestLoggerValues) error {
			path := v.URIPath
			if strings.HasPrefix(path, "/calendar/") {
				path = "/calendar/[secret]" // a calendar feed's address is its credential: never logged
			}
			attrs := []any{"method", v.Method, "path", path, "status", v.Status, "latency", v.Latency.String(), "request_id", v.RequestID}
			if v.Error != nil && v.Status >= 500 {
				attrs = append(attrs, "err", v.Error)
			}
			s.log.Log(c.Request().Context(), slogLevelFor(v.Status), "http", attrs...)
			return nil
		},
	}))
	hsts := 0
	if s.secure {
		hsts = 31536000
	}
	e.Use(middleware.SecureWithConfig(middleware.SecureConfig{
		XSSProtection:         "0", // the old XSS auditor is gone; CSP does the job
		ContentTypeNosniff:    "nosniff",
		XFrameOptions:         "DENY",
		HSTSMaxAge:            hsts,
		ContentSecurityPolicy: contentSecurityPolicy,
		ReferrerPolicy:        "same-origin",
	}))
	// The session is loaded before the body limit (it reads only a cookie), so
	// that a refused body still gets a page for the person who is signed in.
	e.Use(s.loadSession)
	e.Use(s.limitBody)
	e.Use(middleware.GzipWithConfig(middleware.GzipConfig{
		Level: gzipLevel,
		// Documents are served as they are stored (often compressed already),
		// with their own length; the timeline downloads gzip themselves.
		Skipper: func(c echo.Context) bool {
			return strings.HasSuffix(c.Path(), "/download") || strings.HasSuffix(c.Path(), "/content") || compressesItself[c.Path()]
		},
	}))
	e.Use(s.checkCSRF)
	return e
}

// gzipLevel is how hard answers are compressed.
const gzipLevel = 5

// limitBody refuses a body larger than the route's limit (formBodyLimit
// unless routes.go raised it) and parses form bodies up front, so that an
// oversize form is refused with 413 before anything reads a field of it.
func (s *Server) limitBody(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		req := c.Request()
		if req.Body == nil || req.Body == http.NoBody {
			return next(c)
		}
		// A request the route's access refuses is answered before a byte of
		// its body is read: a viewer's upload is not spooled to disk first.
		// Connection: close tells net/http not to read what is left of the
		// body either (it would wait for a client that never finishes).
		if need := s.levels[req.Method+" "+c.Path()]; !hasLevel(c, need) {
			c.Response().Header().Set(echo.HeaderConnection, "close")
			return refuseLevel(c, need)
		}
		limit := int64(formBodyLimit)
		if n, ok := s.bodyLimits[req.Method+" "+c.Path()]; ok {
			limit = n
		}
		if req.ContentLength > limit {
			return tooLarge(limit)
		}
		req.Body = http.MaxBytesReader(c.Response(), req.Body, limit)
		if req.Method == http.MethodPost || req.Method == http.MethodPut || req.Method == http.MethodPatch {
			ct, _, _ := mime.ParseMediaType(req.Header.Get(echo.HeaderContentType))
			var err error
			switch ct {
			case echo.MIMEApplicationForm:
				err = req.ParseForm()
			case echo.MIMEMultipartForm:
				// Files over 8 MB go to temporary files. They are removed here,
				// on every way out: net/http removes only those of the request
				// it made, and this one is a copy (the session middleware put
				// the actor in its context).
				err = req.ParseMultipartForm(8 << 20)
				if req.MultipartForm != nil {
					form := req.MultipartForm
					defer form.RemoveAll()
				}
			}
			if err != nil {
				var mbe *http.MaxBytesError
				if errors.As(err, &mbe) {
					return tooLarge(limit)
				}
				return tracker.Errorf(tracker.EINVALID, "The form could not be read: %v", err)
			}
		}
		return next(c)
	}
}

func tooLarge(limit int64) error {
	return tracker.Errorf(tracker.ETOOLARGE, "What you sent is too large: the limit here is %s.", formatBytes(limit))
}

// requestID is the ID the RequestID middleware gave this request.
func requestID(c echo.Context) string {
	return c.Response().Header().Get(echo.HeaderXRequestID)
}
