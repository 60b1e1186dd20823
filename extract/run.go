package extract

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// tool is one run of an external program on a file: no shell, a fixed
// environment, a timeout, and a cap on what it may write.
type tool struct {
	name    string // what people call it: "pdftotext"
	prog    string // as given in Options: a name on PATH or an absolute path
	pkg     string // the Debian package that has it, for the "missing" message
	args    []string
	maxOut  int
	timeout time.Duration
	env     []string // added to PATH and LANG
}

// lookup finds the program or says which package to install.
func (t tool) lookup() (string, error) {
	p, err := exec.LookPath(t.prog)
	if err != nil {
		return "", &ToolMissingError{Tool: t.name, Package: t.pkg}
	}
	return p, nil
}

// run runs the program and returns what it wrote on standard output. A
// program that filled the cap is not a failure: the text is cut later.
func (t tool) run(ctx context.Context) (string, error) {
	prog, err := t.lookup()
	if err != nil {
		return "", err
	}
	ctx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, prog, t.args...)
	out := &capWriter{max: t.maxOut}
	errs := &capWriter{max: 4096}
	cmd.Stdout, cmd.Stderr = out, errs
	cmd.Env = append([]string{"PATH=/usr/bin:/bin", "LANG=C.UTF-8"}, t.env...)
	cmd.WaitDelay = 2 * time.Second
	err = cmd.Run()
	name := t.name
	if ctx.Err() == context.DeadlineExceeded {
		return "", fmt.Errorf("%s took longer than %s", name, t.timeout)
	}
	if err != nil && !out.full {
		if ctx.Err() != nil {
			return "", ctx.Err()
		}
		msg := strings.TrimSpace(errs.buf.String())
		if msg == "" {
			msg = err.Error()
		}
		return "", fmt.Errorf("%s could not read the file: %s", name, firstLine(msg))
	}
	return out.buf.String(), nil
}

// tempCopy writes data to a new file in a new private directory and returns
// the file's path and a function that removes both. The programs only ever
// see this path, never a name from a sender or a user.
func tempCopy(data []byte, ext string) (path string, dir string, cleanup func(), err error) {
	dir, err = os.MkdirTemp("", "foitrack-extract-*")
	if err != nil {
		return "", "", nil, fmt.Errorf("extract: unable to make a temporary directory: %w", err)
	}
	cleanup = func() { os.RemoveAll(dir) }
	path = filepath.Join(dir, "in"+ext)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		cleanup()
		return "", "", nil, fmt.Errorf("extract: unable to write a temporary file: %w", err)
	}
	return path, dir, cleanup, nil
}

// catdocText reads a Word 97–2003 or RTF file with catdoc: UTF-8, no line
// wrapping (so a phrase is not cut by a line break it did not have).
func catdocText(ctx context.Context, data []byte, kind Kind, opt Options) (string, error) {
	path, _, cleanup, err := tempCopy(data, "."+string(kind))
	if err != nil {
		return "", err
	}
	defer cleanup()
	return tool{name: "catdoc", prog: opt.Catdoc, pkg: "catdoc", args: []string{"-d", "utf-8", "-w", path},
		maxOut: opt.MaxTextBytes * 2, timeout: opt.Timeout}.run(ctx)
}

// xlsText reads an Excel 97–2003 workbook with xls2csv: every sheet's cells
// as CSV, sheets apart by a form feed.
func xlsText(ctx context.Context, data []byte, opt Options) (string, error) {
	path, _, cleanup, err := tempCopy(data, ".xls")
	if err != nil {
		return "", err
	}
	defer cleanup()
	return tool{name: "xls2csv", prog: opt.Xls2csv, pkg: "catdoc", args: []string{"-d", "utf-8", path},
		maxOut: opt.MaxTextBytes * 2, timeout: opt.Timeout}.run(ctx)
}
