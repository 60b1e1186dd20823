package main

import (
	"math"
	"strings"
	"testing"
)

// serve's memory limit and concurrent downloads come from the one list of
// settings: defaults, values in the environment, "off", and a value that
// is not a size refused with the variable's name; GOMEMLIMIT, when set, is
// left to Go.
func TestServeLimitsFromTheSettings(t *testing.T) {
	for _, c := range []struct {
		limit, gomem, downloads string
		wantLimit               int64
		wantDownloads           int
		err                     string
	}{
		{wantLimit: 64 << 20, wantDownloads: 2},
		{limit: "48MiB", downloads: "4", wantLimit: 48 << 20, wantDownloads: 4},
		{limit: "1GiB", wantLimit: 1 << 30, wantDownloads: 2},
		{limit: "512KiB", wantLimit: 512 << 10, wantDownloads: 2},
		{limit: "100000000", wantLimit: 100000000, wantDownloads: 2},
		{limit: "off", wantLimit: math.MaxInt64, wantDownloads: 2},
		{gomem: "200MiB", wantLimit: -1, wantDownloads: 2},
		{limit: "64MB", err: "FOITRACK_MEMORY_LIMIT"},
		{limit: "-5MiB", err: "FOITRACK_MEMORY_LIMIT"},
		{downloads: "0", err: "FOITRACK_DOWNLOADS"},
		{downloads: "two", err: "FOITRACK_DOWNLOADS"},
	} {
		t.Setenv("FOITRACK_MEMORY_LIMIT", c.limit)
		t.Setenv("GOMEMLIMIT", c.gomem)
		t.Setenv("FOITRACK_DOWNLOADS", c.downloads)
		limit, downloads, err := serveLimits()
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%+v: error %v, want one naming %s", c, err, c.err)
			}
			continue
		}
		if err != nil || limit != c.wantLimit || downloads != c.wantDownloads {
			t.Errorf("%+v: %d, %d, %v; want %d, %d", c, limit, downloads, err, c.wantLimit, c.wantDownloads)
		}
	}
}
