package main

import (
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"

	"github.com/foitrack/foitrack/internal/config"
)

// startPprof serves Go's profiler on the address in FOITRACK_PPROF_ADDR
// (a loopback address, for bench/pagebench --profile): off unless set, and
// never on the app's own listener.
func startPprof(log *slog.Logger) {
	addr := config.StartValue("pprof_addr")
	if addr == "" {
		return
	}
	host, _, err := net.SplitHostPort(addr)
	if ip := net.ParseIP(host); err != nil || ip == nil || !ip.IsLoopback() {
		log.Error("FOITRACK_PPROF_ADDR must be a loopback HOST:PORT; the profiler is off", "addr", addr)
		return
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	go func() {
		if err := http.ListenAndServe(addr, mux); err != nil {
			log.Error("profiler", "err", err)
		}
	}()
}
