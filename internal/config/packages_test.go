package config_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/foitrack/foitrack/internal/config"
	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/remind"
)

// TestPackagesReadOnlyListedSettings: the variables the packages read are
// all in the one list (a new one must be added there, and so to the README).
func TestPackagesReadOnlyListedSettings(t *testing.T) {
	names := []string{mailsync.DefaultPasswordEnv, remind.EnvSchedule, remind.EnvBaseURL,
		outbound.EnvHost, outbound.EnvPort, outbound.EnvTLS, outbound.EnvUsername, outbound.EnvPassword,
		outbound.EnvPasswordFile, outbound.EnvFrom, outbound.EnvFromName}
	for _, e := range mailsync.EnvVars() {
		names = append(names, e.Name)
	}
	for _, n := range names {
		if _, ok := config.Lookup(n); !ok {
			t.Errorf("%s is read but not in config.Settings", n)
		}
	}
}

// TestEveryFoitrackVariableInTheCodeIsListed: a FOITRACK_ variable named
// anywhere in the program's code (not its tests, test helpers or benchmark
// tools) is one of the listed settings, so that the README's tables, which
// are tested against the list, name every variable the program reads.
func TestEveryFoitrackVariableInTheCodeIsListed(t *testing.T) {
	// Set by the program for itself (the demo's own IMAP server), never by an operator.
	internal := map[string]bool{"FOITRACK_DEMO_IMAP_PASSWORD": true}
	name := regexp.MustCompile(`^FOITRACK_[A-Z0-9_]+$`)
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	seen := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if d.IsDir() {
			switch {
			case strings.HasPrefix(d.Name(), ".") && rel != ".", d.Name() == "testdata", rel == "bench", rel == filepath.Join("internal", "testenv"):
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			lit, ok := n.(*ast.BasicLit)
			if !ok || lit.Kind != token.STRING {
				return true
			}
			v, err := strconv.Unquote(lit.Value)
			if err != nil || !name.MatchString(v) {
				return true
			}
			seen++
			if _, ok := config.Lookup(v); !ok && !internal[v] {
				t.Errorf("%s: %s is read but not in config.Settings (nor the README)", fset.Position(lit.Pos()), v)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if seen < 20 {
		t.Fatalf("only %d FOITRACK_ names found: is the walk looking at the code?", seen)
	}
}
