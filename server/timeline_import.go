package server

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"path"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
	"github.com/foitrack/foitrack/tracker"
)

// Limits of an upload of event files: the body (routes), the files a zip
// may hold, and what they may add up to once unpacked (a zip bomb stops
// there, not in memory).
//
// A zip is read entry by entry from the upload (which net/http keeps in a
// temporary file past 8 MB), never copied whole into memory; the event files
// it holds are kept (they are imported in one transaction) up to
// timelineZipMaxUnpacked, checked against the sizes the zip declares before
// anything is unpacked and against the bytes actually read. At most
// timelineZipImportsAtOnce zip imports run at once, so the memory they take
// is bounded for the whole server.
const (
	timelineImportLimit      = 34 << 20
	timelineZipMaxFiles      = 5000
	timelineZipMaxUnpacked   = 32 << 20
	timelineZipImportsAtOnce = 2
)

// zipImports bounds the zip imports running at once.
var zipImports = make(chan struct{}, timelineZipImportsAtOnce)

// importTimelineEvents reads uploaded event files (markdown with YAML front
// matter, or JSON; or a zip of them), reports each file that cannot be
// read with its line, and imports the others, updating events by id.
func (s *Server) importTimelineEvents(c echo.Context) error {
	refuse := func(err error) error {
		status := http.StatusUnprocessableEntity
		if tracker.ErrorCode(err) == tracker.ETOOLARGE {
			status = http.StatusRequestEntityTooLarge
		}
		return s.render(c, status, "timeline_import", &view{Title: "Import timeline events", Section: "timeline",
			Error: "Nothing imported: " + tracker.ErrorMessage(err), Data: timelineImportPage{}})
	}
	form, err := c.MultipartForm()
	if err != nil {
		return refuse(tracker.Errorf(tracker.EINVALID, "the upload could not be read (%v)", err))
	}
	var files []timeline.NamedFile
	for _, fh := range form.File["files"] {
		got, err := uploadedEventFiles(c.Request().Context(), fh)
		if err != nil {
			return refuse(err)
		}
		files = append(files, got...)
	}
	if len(files) == 0 {
		return refuse(tracker.Errorf(tracker.EINVALID, "choose one or more event files (.md, .json) or a .zip of them"))
	}
	res := timeline.ReadFiles(files)
	p := timelineImportPage{Done: true, Read: len(res.Events), Skipped: res.Skipped}
	for _, e := range res.Errors {
		p.Errors = append(p.Errors, e.Error())
	}
	for _, n := range append(res.Duplicates, res.Twins...) {
		p.Notes = append(p.Notes, n.Error())
	}
	if len(res.Events) > 0 {
		items, err := s.st.ImportTimelineEvents(c.Request().Context(), res.Events)
		if code := tracker.ErrorCode(err); code == tracker.EINVALID || code == tracker.ECONFLICT {
			return refuse(err)
		} else if err != nil {
			return err
		}
		for _, it := range items {
			switch it.Action {
			case "create":
				p.Created = append(p.Created, it)
			case "update":
				p.Updated = append(p.Updated, it)
			default:
				p.Unchanged++
			}
		}
	}
	status := http.StatusOK
	if len(p.Errors) > 0 {
		status = http.StatusUnprocessableEntity
	}
	return s.render(c, status, "timeline_import", &view{Title: "Import timeline events", Section: "timeline", Data: p})
}

// uploadedEventFiles reads one uploaded file: an event file as it is, a zip
// as the files it holds. Names are kept as labels only (a zip's folders
// dropped); nothing is written to disk.
func uploadedEventFiles(ctx context.Context, fh *multipart.FileHeader) ([]timeline.NamedFile, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("server: unable to open upload: %w", err)
	}
	defer f.Close()
	name := store.DisplayFilename(fh.Filename)
	if !strings.EqualFold(path.Ext(name), ".zip") {
		// One event file: a bigger one is reported by the parser as too large.
		data, err := io.ReadAll(io.LimitReader(f, timeline.MaxFileBytes+1))
		if err != nil {
			return nil, fmt.Errorf("server: unable to read upload: %w", err)
		}
		return []timeline.NamedFile{{Name: name, Data: data}}, nil
	}
	select {
	case zipImports <- struct{}{}:
		defer func() { <-zipImports }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	// The upload is read where it is (a multipart file reads at any offset).
	zr, err := zip.NewReader(f, fh.Size)
	if err != nil {
		return nil, tracker.Errorf(tracker.EINVALID, "%s is not a zip file that can be read (%v)", name, err)
	}
	tooBig := tracker.Errorf(tracker.ETOOLARGE, "%s unpacks to more than %d MB of event files", name, timelineZipMaxUnpacked>>20)
	var declared uint64
	files := 0
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() || strings.HasPrefix(zf.Name, "__MACOSX/") {
			continue
		}
		if files++; files > timelineZipMaxFiles {
			return nil, tracker.Errorf(tracker.ETOOLARGE, "%s holds more than %d files", name, timelineZipMaxFiles)
		}
		if timeline.IsEventFile(path.Base(zf.Name)) {
			declared += min(zf.UncompressedSize64, timeline.MaxFileBytes+1)
		}
	}
	if declared > timelineZipMaxUnpacked {
		return nil, tooBig // refused before anything is unpacked
	}
	var out []timeline.NamedFile
	var unpacked int64
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() || strings.HasPrefix(zf.Name, "__MACOSX/") {
			continue
		}
		entry := timeline.NamedFile{Name: path.Base(zf.Name)}
		if !timeline.IsEventFile(entry.Name) {
			out = append(out, entry) // listed as skipped
			continue
		}
		rc, err := zf.Open()
		if err != nil {
			entry.Err = err
		} else {
			// The sizes a zip declares can lie: the bytes read are counted too.
			entry.Data, entry.Err = io.ReadAll(io.LimitReader(rc, min(timeline.MaxFileBytes+1, timelineZipMaxUnpacked-unpacked+1)))
			rc.Close()
		}
		if errors.Is(entry.Err, zip.ErrChecksum) || errors.Is(entry.Err, zip.ErrFormat) {
			entry.Err = fmt.Errorf("damaged in the zip: %v", entry.Err)
		}
		if unpacked += int64(len(entry.Data)); unpacked > timelineZipMaxUnpacked {
			return nil, tooBig
		}
		out = append(out, entry)
	}
	return out, nil
}
