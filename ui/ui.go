// Package ui holds the web app's templates and static assets, embedded in
// the binary so that foitrack needs no network and no files beside it.
//
// Layout: templates/layout/*.html is the base page, templates/partials/*.html
// the pieces shared by pages, templates/pages/NAME.html one page each (it
// defines "title" and "content"); static/ is served under /static/.
package ui

import (
	"embed"
	"io/fs"
)

//go:embed templates static
var files embed.FS

// Templates is the template tree (layout/, partials/, pages/).
func Templates() fs.FS { return sub("templates") }

// Static is the static asset tree served under /static/.
func Static() fs.FS { return sub("static") }

func sub(dir string) fs.FS {
	f, err := fs.Sub(files, dir)
	if err != nil {
		panic(err) // the directory is embedded at build time
	}
	return f
}
