package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/foitrack/foitrack/extract"
	"github.com/foitrack/foitrack/tracker"
)

func init() {
	register(command{"document add", "attach a document to a request by hand", documentAdd})
}

func documentAdd(env *Env, args []string) error {
	fs := newFlags(env, "document add", "--request ID (--file PATH | --withheld) [options]")
	var d tracker.Document
	var path, exemptions string
	var withheld bool
	fs.Int64Var(&d.RequestID, "request", 0, "request ID (required)")
	fs.StringVar(&path, "file", "", "the file released")
	fs.BoolVar(&withheld, "withheld", false, "record a document the authority withheld (no file)")
	fs.StringVar(&d.Disposition, "disposition", "", "released, released_redacted or withheld (default released, or withheld with --withheld)")
	fs.StringVar(&exemptions, "exemptions", "", "exemptions claimed for it, comma-separated")
	fs.StringVar(&d.Description, "description", "", "what it is")
	fs.StringVar(&d.Filename, "name", "", "its name (default: the file's name)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if d.RequestID == 0 || (path == "") == !withheld {
		return usagef("give --request and either --file or --withheld")
	}
	if exemptions != "" {
		d.Exemptions = strings.Split(exemptions, ",")
	}
	if d.Disposition == "" {
		d.Disposition = tracker.DispositionReleased
		if withheld {
			d.Disposition = tracker.DispositionWithheld
		}
	}
	st, err := env.Store()
	if err != nil {
		return err
	}
	if withheld {
		if d.Filename == "" {
			d.Filename = d.Description
		}
		err = st.AddDocument(env.Ctx, &d, nil, 0)
	} else {
		f, ferr := os.Open(path)
		if ferr != nil {
			return ferr
		}
		defer f.Close()
		if d.Filename == "" {
			d.Filename = path
		}
		err = st.AddDocument(env.Ctx, &d, f, 0)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "document %d: %s, %s, %d bytes, sha256 %s\n", d.ID, d.Filename, d.Disposition, d.Size, orDash(d.SHA256))
	// The text is read and indexed before the command returns, so that a
	// search right after finds it (the server does this in the background).
	if !withheld {
		t, err := st.ExtractDocumentText(env.Ctx, d.ID, extract.Options{})
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "document %d: %s\n", d.ID, textSummary(t))
	}
	return nil
}
