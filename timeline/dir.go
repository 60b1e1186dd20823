package timeline

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
	// Duplicates are later files with an id an earlier file had: the later
	// one is kept, as a re-import would keep it.
	Duplicates []*FileError
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
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	res := &DirResult{}
	seen := map[string]int{} // id → index in res.Events
	for _, de := range entries {
		name := de.Name()
		if de.IsDir() {
			continue
		}
		if !IsEventFile(name) || !de.Type().IsRegular() {
			res.Skipped = append(res.Skipped, name)
			continue
		}
		data, err := readLimited(filepath.Join(dir, name))
		if err != nil {
			res.Errors = append(res.Errors, &FileError{File: name, Msg: err.Error()})
			continue
		}
		ev, err := Parse(name, data)
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
			res.Duplicates = append(res.Duplicates, &FileError{File: name,
				Msg: fmt.Sprintf("id %q is also in %s; this file is the one kept", ev.ID(), res.Events[i].File)})
			res.Events[i] = FileEvent{File: name, Event: ev}
			continue
		}
		seen[ev.ID()] = len(res.Events)
		res.Events = append(res.Events, FileEvent{File: name, Event: ev})
	}
	return res, nil
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
