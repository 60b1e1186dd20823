package main

import (
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/foitrack/foitrack/internal/config"
)

// serveGCPercent is serve's GOGC under its own soft memory limit. The
// limit bounds the heap, so the collector need not also run each time the
// heap doubles its live size: at 1,000,000 requests, 4 connections, that
// was 8-12 % of a page's CPU; at 400 a page takes 8-20 % less CPU and the
// peak RSS did not move (the limit, not GOGC, sets it).
const serveGCPercent = 400

// serveLimits reads serve's soft memory limit (bytes, for
// debug.SetMemoryLimit; -1: GOMEMLIMIT is set, Go's own; math.MaxInt64:
// none), the GOGC it runs at (-1: Go's own, when GOGC or GOMEMLIMIT is set
// or there is no limit) and how many timeline downloads it writes at once.
func serveLimits() (memoryLimit int64, gcPercent, downloads int, err error) {
	memoryLimit, gcPercent = -1, -1
	if strings.TrimSpace(os.Getenv("GOMEMLIMIT")) == "" {
		v := config.StartValue("memory_limit")
		if memoryLimit, err = parseSize(v); err != nil {
			return 0, 0, 0, fmt.Errorf("FOITRACK_MEMORY_LIMIT=%s: %w", v, err)
		}
		if memoryLimit != math.MaxInt64 && strings.TrimSpace(os.Getenv("GOGC")) == "" {
			gcPercent = serveGCPercent
		}
	}
	v := config.StartValue("downloads")
	if downloads, err = strconv.Atoi(v); err != nil || downloads < 1 {
		return 0, 0, 0, fmt.Errorf("FOITRACK_DOWNLOADS=%s: want a number of downloads, 1 or more", v)
	}
	return memoryLimit, gcPercent, downloads, nil
}

// parseSize reads "64MiB", "1GiB", "512KiB" or a number of bytes; "off"
// is no limit (math.MaxInt64, as Go's own default).
func parseSize(v string) (int64, error) {
	if strings.EqualFold(v, "off") {
		return math.MaxInt64, nil
	}
	unit := int64(1)
	for suffix, u := range map[string]int64{"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30} {
		if n, ok := strings.CutSuffix(v, suffix); ok {
			v, unit = n, u
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil || n <= 0 || n > math.MaxInt64/unit {
		return 0, fmt.Errorf("want a size such as 64MiB, 1GiB or a number of bytes, or off")
	}
	return n * unit, nil
}
