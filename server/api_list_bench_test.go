package server

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/foitrack/foitrack/store"
)

// BenchmarkAPIRequestListAtScale: the API's request list (as pagebench's
// "api requests" rows call it) served in process, on the data directory
// named by FOITRACK_BENCH_DATA (a seeded copy: it gains a user and a
// token), with -benchmem the allocations of a whole response.
func BenchmarkAPIRequestListAtScale(b *testing.B) {
	ctx := context.Background()
	srv, st := scaleServer(b, "a copy of a `foitrack dev seed` data directory")
	b.Cleanup(func() {
		srv.Close()
		st.Close()
	})
	u := store.User{Email: fmt.Sprintf("bench-%d@example.org", time.Now().UnixNano()), Name: "Bench", Role: store.RoleEditor}
	if err := st.CreateUser(ctx, &u, testPassword); err != nil {
		b.Fatal(err)
	}
	token, _, err := st.CreateAPIToken(ctx, u.ID, "bench")
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	for _, path := range []string{"/api/v1/requests", "/api/v1/requests?status=awaiting_response"} {
		b.Run(path[len("/api/v1/"):], func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, path, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%s: %d %s", path, rec.Code, rec.Body)
				}
			}
		})
	}
}
