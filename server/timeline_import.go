package server

import (
	"archive/zip"
	"bytes"
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
const (
	timelineImportLimit    = 34 << 20
	timelineZipMaxFiles    = 5000
	timelineZipMaxUnpacked = 256 << 20
)

// timelineImportPage is the import form and, after a post, what it did.
type timelineImportPage struct {
	Done      bool
	Read      int
	Created   []store.TimelineImportItem
	Updated   []store.TimelineImportItem
	Unchanged int
	Errors    []string // file:line: problem
	Notes     []string // duplicates and twins
	Skipped   []string
}

// showTimelineImport shows the form to upload event files.
func (s *Server) showTimelineImport(c echo.Context) error {
	return s.render(c, http.StatusOK, "timeline_import", &view{Title: "Import timeline events", Section: "timeline", Data: timelineImportPage{}})
}

// importTimelineEvents reads uploaded event files (markdown with YAML front
// matter, or JSON; or a zip of them), reports each file that cannot be
// read with its line, and imports the others, updating events by id.
func (s *Server) importTimelineEvents(c echo.Context) error {
	refuse := func(err error) error {
		return s.render(c, http.StatusUnprocessableEntity, "timeline_import", &view{Title: "Import timeline events", Section: "timeline",
			Error: "Nothing imported: " + tracker.ErrorMessage(err), Data: timelineImportPage{}})
	}
	form, err := c.MultipartForm()
	if err != nil {
		return refuse(tracker.Errorf(tracker.EINVALID, "the upload could not be read (%v)", err))
	}
	var files []timeline.NamedFile
	for _, fh := range form.File["files"] {
		got, err := uploadedEventFiles(fh)
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
func uploadedEventFiles(fh *multipart.FileHeader) ([]timeline.NamedFile, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, fmt.Errorf("server: unable to open upload: %w", err)
	}
	defer f.Close()
	name := store.DisplayFilename(fh.Filename)
	data, err := io.ReadAll(io.LimitReader(f, timelineImportLimit+1))
	if err != nil {
		return nil, fmt.Errorf("server: unable to read upload: %w", err)
	}
	if !strings.EqualFold(path.Ext(name), ".zip") {
		return []timeline.NamedFile{{Name: name, Data: data}}, nil
	}
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return nil, tracker.Errorf(tracker.EINVALID, "%s is not a zip file that can be read (%v)", name, err)
	}
	var out []timeline.NamedFile
	var unpacked int64
	for _, zf := range zr.File {
		if zf.FileInfo().IsDir() || strings.HasPrefix(zf.Name, "__MACOSX/") {
			continue
		}
		if len(out) == timelineZipMaxFiles {
			return nil, tracker.Errorf(tracker.ETOOLARGE, "%s holds more than %d files", name, timelineZipMaxFiles)
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
			entry.Data, entry.Err = io.ReadAll(io.LimitReader(rc, timeline.MaxFileBytes+1))
			rc.Close()
		}
		if errors.Is(entry.Err, zip.ErrChecksum) || errors.Is(entry.Err, zip.ErrFormat) {
			entry.Err = fmt.Errorf("damaged in the zip: %v", entry.Err)
		}
		if unpacked += int64(len(entry.Data)); unpacked > timelineZipMaxUnpacked {
			return nil, tracker.Errorf(tracker.ETOOLARGE, "%s unpacks to more than %d MB", name, timelineZipMaxUnpacked>>20)
		}
		out = append(out, entry)
	}
	return out, nil
}
