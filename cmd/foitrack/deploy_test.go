package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDeployFilesUseRealCommands reads the Dockerfile and the systemd unit
// (Docker itself is not needed): the commands they run exist, the binary is
// built static, and neither runs as root or without its hardening.
func TestDeployFilesUseRealCommands(t *testing.T) {
	root := filepath.Join("..", "..")
	docker, err := os.ReadFile(filepath.Join(root, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	unit, err := os.ReadFile(filepath.Join(root, "deploy", "foitrack.service"))
	if err != nil {
		t.Fatal(err)
	}
	d := string(docker)
	for _, want := range []string{"CGO_ENABLED=0", "FROM gcr.io/distroless/static-debian12:nonroot", "USER nonroot:nonroot", `VOLUME ["/data"]`, "FOITRACK_DATA=/data", "HEALTHCHECK"} {
		if !strings.Contains(d, want) {
			t.Errorf("Dockerfile lacks %q", want)
		}
	}
	// The last stage (the default image) must not run as root.
	stages := strings.Split(d, "\nFROM ")
	if last := stages[len(stages)-1]; !strings.Contains(last, "\nUSER ") || strings.Contains(last, "USER root") {
		t.Errorf("the default image runs as root")
	}
	run := regexp.MustCompile(`(?m)^(?:HEALTHCHECK .*CMD|CMD) \[("/usr/local/bin/foitrack", )?(.*)\]$`)
	var cmds [][]string
	for _, m := range run.FindAllStringSubmatch(d, -1) {
		var args []string
		for _, a := range strings.Split(m[2], ",") {
			args = append(args, strings.Trim(strings.TrimSpace(a), `"`))
		}
		cmds = append(cmds, args)
	}
	u := string(unit)
	exec := regexp.MustCompile(`(?m)^ExecStart=/usr/local/bin/foitrack (.*)$`).FindStringSubmatch(u)
	if exec == nil {
		t.Fatalf("the unit has no ExecStart of foitrack")
	}
	cmds = append(cmds, strings.Fields(exec[1]))
	if len(cmds) < 5 {
		t.Fatalf("found only %v", cmds)
	}
	for _, args := range cmds {
		if _, _, ok := lookup(args); !ok {
			t.Errorf("%v is not a foitrack command", args)
		}
	}
	for _, want := range []string{"DynamicUser=yes", "ProtectSystem=strict", "ReadWritePaths=/var/lib/foitrack", "NoNewPrivileges=yes",
		"CapabilityBoundingSet=\n", "PrivateTmp=yes", "Restart=on-failure", "FOITRACK_DATA=/var/lib/foitrack"} {
		if !strings.Contains(u, want) {
			t.Errorf("the unit lacks %q", want)
		}
	}
}
