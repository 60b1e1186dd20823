package main

import (
	"context"
	"os/user"
	"testing"

	"github.com/foitrack/foitrack/store"
)

// The audit log records who ran a command. With neither USER nor LOGNAME
// set (a service, a container) it is the account running it, not "unknown".
func TestCommandsAreAuditedUnderTheOSAccount(t *testing.T) {
	me, err := user.Current()
	if err != nil || me.Username == "" {
		t.Skipf("no current user: %v", err)
	}
	t.Setenv("USER", "")
	t.Setenv("LOGNAME", "")
	dir := t.TempDir()
	mustCLI(t, dir, "authority", "add", "--name", "Dyfed-Powys Police", "--jurisdiction", "uk-wales")
	st, err := store.Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var actor string
	if err := st.Reader().QueryRow(`SELECT actor FROM audit_log ORDER BY id DESC LIMIT 1`).Scan(&actor); err != nil {
		t.Fatal(err)
	}
	if actor != "cli:"+me.Username {
		t.Fatalf("audited as %q, want %q", actor, "cli:"+me.Username)
	}
}
