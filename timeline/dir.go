package timeline

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// FileEvent is an event read from a file of a directory.
type FileEvent struct {
	File  string // the file's name in the directory
	Event *Event
}

// DirResult is what ReadDir found: the events, the files that could not be
// read (with file name and line) and the files it left alone.
type DirResult struct {
	Events  []FileEvent
	Errors  []*FileError
	Skipped []string // not event files (README.md, SOURCE.md, other extensions)
	// Duplicates are later files with an id an earlier file had and other
	// data: the later one is kept, as a re-import would keep it.
	Duplicates []*FileError
	// Twins are files holding the same event as another file, in the other
	// format (X.json beside X.md): one event, written back as both.
	Twins []*FileError
}

// notEventFiles are the markdown files a directory of events commonly has
// beside its events.
var notEventFiles = map[string]bool{"readme.md": true, "source.md": true, "license.md": true, "changelog.md": true,
	"contributing.md": true, "index.md": true}

// IsEventFile reports whether a file name in an events directory names an
// event file: .md, .markdown or .json, not hidden, not a README-like file.
func IsEventFile(name string) bool {
	lower := strings.ToLower(name)
	if strings.HasPrefix(name, ".") || strings.HasPrefix(name, "_") || notEventFiles[lower] {
		return false
	}
	switch filepath.Ext(lower) {
	case ".md", ".markdown", ".json":
		return true
	}
	return false
}

// ReadDir reads every event file of dir (not its sub-directories), in name
// order. A file that cannot be read is reported and the others are read.
func ReadDir(dir string) (*DirResult, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("timeline: unable to read directory: %w", err)
	}
	var files []NamedFile
	var skipped []string
	for _, de := range entries {
		name := de.Name()
		switch {
		case de.IsDir():
		case !IsEventFile(name) || !de.Type().IsRegular():
			skipped = append(skipped, name)
		default:
			data, err := readLimited(filepath.Join(dir, name))
			files = append(files, NamedFile{Name: name, Data: data, Err: err})
		}
	}
	res := ReadFiles(files)
	res.Skipped = append(res.Skipped, skipped...)
	sort.Strings(res.Skipped)
	return res, nil
}

// NamedFile is a file's name and content, from a directory, an upload or a
// zip; Err when it could not be read.
type NamedFile struct {
	Name string
	Data []byte
	Err  error
}

// ReadFiles parses event files, in name order, as ReadDir does: a file that
// cannot be read or parsed is reported with its line, the others are read;
// files that are not event files are skipped.
func ReadFiles(files []NamedFile) *DirResult {
	files = slices.Clone(files)
	sort.SliceStable(files, func(i, j int) bool { return files[i].Name < files[j].Name })
	res := &DirResult{}
	seen := map[string]int{} // id → index in res.Events
	for _, f := range files {
		name := f.Name
		if !IsEventFile(name) {
			res.Skipped = append(res.Skipped, name)
			continue
		}
		if f.Err == nil && len(f.Data) > MaxFileBytes {
			f.Err = fmt.Errorf("file too large (over %d bytes)", MaxFileBytes)
		}
		if f.Err != nil {
			res.Errors = append(res.Errors, &FileError{File: name, Msg: f.Err.Error()})
			continue
		}
		ev, err := Parse(name, f.Data)
		if err != nil {
			var fe *FileError
			if errors.As(err, &fe) {
				res.Errors = append(res.Errors, fe)
			} else {
				res.Errors = append(res.Errors, &FileError{File: name, Msg: err.Error()})
			}
			continue
		}
		if i, ok := seen[ev.ID()]; ok {
			prev := res.Events[i]
			if prev.Event.Format() != ev.Format() && SameData(prev.Event, ev) {
				// The same event in both formats: keep the markdown
				// file as the event, and write the other back beside it.
				keep, twin := prev, FileEvent{File: name, Event: ev}
				if ev.Format() == FormatMarkdown {
					keep, twin = twin, prev
				}
				keep.Event.SetAlsoAs(append(keep.Event.AlsoAs(), twin.File))
				res.Events[i] = keep
				res.Twins = append(res.Twins, &FileError{File: twin.File, Msg: fmt.Sprintf("the same event as %s, in the other format: both are kept", keep.File)})
				continue
			}
			res.Duplicates = append(res.Duplicates, &FileError{File: name,
				Msg: fmt.Sprintf("id %q is also in %s, with other data; this file is the one kept", ev.ID(), prev.File)})
			res.Events[i] = FileEvent{File: name, Event: ev}
			continue
		}
		seen[ev.ID()] = len(res.Events)
		res.Events = append(res.Events, FileEvent{File: name, Event: ev})
	}
	return res
}

func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, MaxFileBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxFileBytes {
		return nil, fmt.Errorf("file too large (over %d bytes)", MaxFileBytes)
	}
	return data, nil
}

// WriteDir writes each event as <id>.md (or .json) into dir, creating it.
// format "" writes each in the format it was read in. File names come from
// ids, which are checked to be plain names; a file is written whole to a
// temporary name first, so an interrupted export leaves no half file.
func WriteDir(dir string, events []*Event, format string) ([]string, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("timeline: unable to create %s: %w", dir, err)
	}
	var names []string
	used := map[string]bool{}
	for _, ev := range events {
		if !ValidID(ev.ID()) {
			return names, fmt.Errorf("timeline: event id %q cannot be a file name", ev.ID())
		}
		name, data := ev.File(format)
		if used[strings.ToLower(name)] {
			// Two events imported from same-named files of different
			// directories: the later is written under its id.
			c := ev.Clone()
			c.SetFileName("")
			name, data = c.File(format)
		}
		if used[strings.ToLower(name)] {
			return names, fmt.Errorf("timeline: two events would both be written to %s", name)
		}
		used[strings.ToLower(name)] = true
		if format == "" {
			// The event's other files (X.json beside X.md), in their format.
			for _, other := range ev.AlsoAs() {
				st := stem(other)
				if other != filepath.Base(other) || !ValidID(st) || used[strings.ToLower(other)] {
					continue
				}
				f := FormatMarkdown
				body := ev.Markdown()
				if strings.EqualFold(filepath.Ext(other), ".json") {
					f, body = FormatJSON, ev.JSON()
				}
				if f == ev.Format() {
					continue
				}
				if err := writeFileAtomic(filepath.Join(dir, other), body); err != nil {
					return names, err
				}
				used[strings.ToLower(other)] = true
				names = append(names, other)
			}
		}
		if err := writeFileAtomic(filepath.Join(dir, name), data); err != nil {
			return names, err
		}
		names = append(names, name)
	}
	return names, nil
}

func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".export-*")
	if err != nil {
		return fmt.Errorf("timeline: unable to write %s: %w", path, err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("timeline: unable to write %s: %w", path, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("timeline: unable to write %s: %w", path, err)
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return fmt.Errorf("timeline: unable to write %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("timeline: unable to write %s: %w", path, err)
	}
	return nil
}
