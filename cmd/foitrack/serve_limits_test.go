package main

import (
	"math"
	"strings"
	"testing"
)

// serve's memory limit and concurrent downloads come from the one list of
// settings: defaults, values in the environment, "off", and a value that
// is not a size refused with the variable's name; GOMEMLIMIT, when set, is
// left to Go. Under its own limit serve runs the collector at
// serveGCPercent, unless GOGC is set; without a limit, at Go's own.
func TestServeLimitsFromTheSettings(t *testing.T) {
	for _, c := range []struct {
		limit, gomem, gogc, downloads string
		wantLimit                     int64
		wantGC, wantDownloads         int
		err                           string
	}{
		{wantLimit: 64 << 20, wantGC: serveGCPercent, wantDownloads: 2},
		{limit: "48MiB", downloads: "4", wantLimit: 48 << 20, wantGC: serveGCPercent, wantDownloads: 4},
		{limit: "1GiB", wantLimit: 1 << 30, wantGC: serveGCPercent, wantDownloads: 2},
		{limit: "512KiB", wantLimit: 512 << 10, wantGC: serveGCPercent, wantDownloads: 2},
		{limit: "100000000", wantLimit: 100000000, wantGC: serveGCPercent, wantDownloads: 2},
		{limit: "off", wantLimit: math.MaxInt64, wantGC: -1, wantDownloads: 2},
		{gomem: "200MiB", wantLimit: -1, wantGC: -1, wantDownloads: 2},
		{gogc: "150", wantLimit: 64 << 20, wantGC: -1, wantDownloads: 2},
		{limit: "64MB", err: "FOITRACK_MEMORY_LIMIT"},
		{limit: "-5MiB", err: "FOITRACK_MEMORY_LIMIT"},
		{downloads: "0", err: "FOITRACK_DOWNLOADS"},
		{downloads: "two", err: "FOITRACK_DOWNLOADS"},
	} {
		t.Setenv("FOITRACK_MEMORY_LIMIT", c.limit)
		t.Setenv("GOMEMLIMIT", c.gomem)
		t.Setenv("GOGC", c.gogc)
		t.Setenv("FOITRACK_DOWNLOADS", c.downloads)
		limit, gc, downloads, err := serveLimits()
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%+v: error %v, want one naming %s", c, err, c.err)
			}
			continue
		}
		if err != nil || limit != c.wantLimit || gc != c.wantGC || downloads != c.wantDownloads {
			t.Errorf("%+v: %d, %d, %d, %v; want %d, %d, %d", c, limit, gc, downloads, err, c.wantLimit, c.wantGC, c.wantDownloads)
		}
	}
}
