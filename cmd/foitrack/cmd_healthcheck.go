package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"time"

	"github.com/foitrack/foitrack/internal/config"
)

func init() {
	register(command{"healthcheck", "ask a running foitrack serve whether it is healthy (exit 0) or not (exit 1): for container HEALTHCHECKs", healthcheck})
}

// healthcheck is what a container's HEALTHCHECK runs: a distroless image
// has no curl or wget.
func healthcheck(env *Env, args []string) error {
	fs := newFlags(env, "healthcheck", "[--addr HOST:PORT | --url URL]\n\nGets /healthz from the serve listening on --addr (default $FOITRACK_ADDR, else\n127.0.0.1:8080; an unspecified host such as 0.0.0.0 is asked on the loopback) and exits 0\nwhen it answers 200 within --timeout, 1 otherwise.")
	addr := fs.String("addr", config.StartValue("addr"), "the address serve listens on")
	url := fs.String("url", "", "the health URL to get instead (e.g. https://foi.example.org/healthz)")
	timeout := fs.Duration("timeout", 5*time.Second, "how long to wait for the answer")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	target := *url
	if target == "" {
		host, port, err := net.SplitHostPort(*addr)
		if err != nil {
			return usagef("--addr %q: %v", *addr, err)
		}
		if ip := net.ParseIP(host); host == "" || (ip != nil && ip.IsUnspecified()) {
			host = "127.0.0.1"
			if ip != nil && ip.To4() == nil {
				host = "::1"
			}
		}
		target = "http://" + net.JoinHostPort(host, port) + "/healthz"
	}
	ctx, cancel := context.WithTimeout(env.Ctx, *timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, target, nil)
	if err != nil {
		return usagef("--url: %v", err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("unhealthy: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("unhealthy: %s answered %s: %s", target, resp.Status, body)
	}
	fmt.Fprintf(env.Stdout, "healthy: %s %s", target, body)
	return nil
}
