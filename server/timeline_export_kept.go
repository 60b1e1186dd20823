package server

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"

	"github.com/foitrack/foitrack/store"
)

// A timeline download is a walk over every event and its links (at a
// million requests: 10,000 events, 5 MB, over a second of CPU), and the
// same file is asked for again and again while nothing changes. So the
// bytes of each download written are kept in a file, with the version of
// what downloads read when its writing began (store.ExportVersion: any
// commit, by this process or another, to a table a download may read
// changes it; a session's last use, the indexed words' worker or a
// message fetched do not), and sent again, from the file, while the
// version is the same. A download filtered by words (?q=) also reads the
// full-text index and the indexed words, which that version leaves out:
// it is kept only while nothing at all is committed. A download's bytes
// depend on nothing else than its variant (exportVariant): the same for
// every viewer (exports are for the public), with no date or time in them.
//
// The files are in a folder of this process's own in the data directory
// (named as store.RemoveLeftovers expects, so that a killed server's are
// removed by the next), under names of their own: nothing a request holds
// reaches a path.

// exportsPrefix names the kept downloads' folder in the data directory.
const exportsPrefix = ".exports-"

// Bounds on what is kept: the few variants asked for last (the two
// downloads unfiltered, a filter or two), each only while it is the
// database's latest, and no file longer than maxKeptExportBytes.
const (
	maxKeptExports     = 8
	maxKeptExportBytes = 64 << 20
)

// keptExports are the downloads kept (see above).
type keptExports struct {
	dir   string // "": none are kept (no data directory)
	mu    sync.Mutex
	files map[string]*keptExport // by exportVariant.key
	uses  uint64
}

// keptExport is one kept download, as written and gzipped (most clients
// take it gzipped: compressing 5 MB again for each was most of a kept
// download's cost).
type keptExport struct {
	path, gzPath string
	version      store.ExportVersion
	everyCommit  bool   // kept only while nothing at all is committed (see above)
	etag         string // of the bytes as written
	used         uint64
}

// current says whether e may still be sent at version v.
func (e *keptExport) current(v store.ExportVersion) bool {
	return v.Unchanged(e.version, e.everyCommit)
}

// newKeptExports makes the folder for kept downloads in dataDir, first
// removing those a killed server left; with no dataDir, none are kept.
func newKeptExports(dataDir string, log *slog.Logger) *keptExports {
	k := &keptExports{files: map[string]*keptExport{}}
	if dataDir == "" {
		return k
	}
	store.RemoveLeftovers(dataDir, exportsPrefix)
	dir, err := os.MkdirTemp(dataDir, store.LeftoverPattern(exportsPrefix))
	if err != nil {
		log.Warn("timeline downloads will not be kept", "err", err)
		return k
	}
	k.dir = dir
	return k
}

// open returns the kept file of the variant key, gzipped when gz is set,
// if nothing it read has changed from its version to v, open, with its
// ETag; nil if there is none. A file that is no longer current will never
// be sent again: it is removed.
func (k *keptExports) open(key string, v store.ExportVersion, gz bool) (*os.File, string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	e := k.files[key]
	if e == nil {
		return nil, ""
	}
	if !e.current(v) {
		k.drop(key)
		return nil, ""
	}
	path, etag := e.path, e.etag
	if gz {
		// Another representation, another tag.
		path, etag = e.gzPath, strings.TrimSuffix(etag, `"`)+`-gzip"`
	}
	f, err := os.Open(path)
	if err != nil {
		k.drop(key)
		return nil, ""
	}
	k.uses++
	e.used = k.uses
	return f, etag
}

// create starts the files for a download being written at version v
// (everyCommit: kept only while nothing at all is committed): its bytes go
// to the client and, through the returned writer, to the file (and
// gzipped, through its gzip writer, to the other), which keep then keeps.
// nil when nothing is kept.
func (k *keptExports) create(key string, v store.ExportVersion, everyCommit bool) *keptWriter {
	if k.dir == "" {
		return nil
	}
	f, err := os.CreateTemp(k.dir, "timeline-*.json")
	if err != nil {
		return nil
	}
	gz, err := os.CreateTemp(k.dir, "timeline-*.json.gz")
	if err != nil {
		f.Close()
		os.Remove(f.Name())
		return nil
	}
	return &keptWriter{plain: keptFile{f: f}, gz: keptFile{f: gz}, key: key, version: v, everyCommit: everyCommit, sum: sha256.New()}
}

// keep keeps the files w wrote (the whole download: the caller has written
// it all, and closed the gzip writer), in place of the variant's last
// ones, and drops every file no longer current at its version and the
// least recently used beyond maxKeptExports. Files that could not be written whole are
// removed instead.
func (k *keptExports) keep(w *keptWriter) {
	if err := errors.Join(w.plain.close(), w.gz.close()); err != nil {
		w.remove()
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for key, e := range k.files {
		if !e.current(w.version) {
			k.drop(key)
		}
	}
	k.drop(w.key)
	k.uses++
	k.files[w.key] = &keptExport{path: w.plain.f.Name(), gzPath: w.gz.f.Name(), version: w.version, everyCommit: w.everyCommit,
		etag: `"` + hex.EncodeToString(w.sum.Sum(nil)) + `"`, used: k.uses}
	for len(k.files) > maxKeptExports {
		oldest := ""
		for key, e := range k.files {
			if oldest == "" || e.used < k.files[oldest].used {
				oldest = key
			}
		}
		k.drop(oldest)
	}
}

// discard removes the files of a download that was not written whole.
func (k *keptExports) discard(w *keptWriter) {
	w.plain.close()
	w.gz.close()
	w.remove()
}

// drop forgets key's file and removes it (a download sending it from an
// open file still sends it whole). k.mu is held.
func (k *keptExports) drop(key string) {
	if e := k.files[key]; e != nil {
		os.Remove(e.path)
		os.Remove(e.gzPath)
		delete(k.files, key)
	}
}

// close removes the kept files and their folder.
func (k *keptExports) close() {
	if k.dir == "" {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	k.files = map[string]*keptExport{}
	os.RemoveAll(k.dir)
}

// keptWriter copies a download's bytes into its file, and hashes them for
// its ETag; Gzip is where the same bytes go gzipped. It never fails the
// download: the first error (a full disk, a file grown past
// maxKeptExportBytes) only means the files are not kept.
type keptWriter struct {
	plain, gz   keptFile
	key         string
	version     store.ExportVersion
	everyCommit bool
	sum         hash.Hash
}

func (w *keptWriter) Write(b []byte) (int, error) {
	if w.plain.write(b) {
		w.sum.Write(b)
	}
	return len(b), nil
}

// Gzip is the writer of the gzipped file.
func (w *keptWriter) Gzip() io.Writer { return &w.gz }

func (w *keptWriter) remove() {
	os.Remove(w.plain.f.Name())
	os.Remove(w.gz.f.Name())
}

// keptFile is a kept file being written: it takes every byte, and records
// its first error instead of failing.
type keptFile struct {
	f   *os.File
	n   int64
	err error
}

func (f *keptFile) Write(b []byte) (int, error) {
	f.write(b)
	return len(b), nil
}

// write writes b, and says whether the file is still whole.
func (f *keptFile) write(b []byte) bool {
	if f.err != nil {
		return false
	}
	if f.n += int64(len(b)); f.n > maxKeptExportBytes {
		f.err = fmt.Errorf("longer than %d bytes", maxKeptExportBytes)
		return false
	}
	if _, err := f.f.Write(b); err != nil {
		f.err = err
		return false
	}
	return true
}

// close closes the file, and says whether it was written whole.
func (f *keptFile) close() error {
	if err := f.f.Close(); f.err == nil {
		f.err = err
	}
	return f.err
}

// exportVariant is what a timeline download's bytes depend on besides the
// database: the route, the filter as the handler read it (every field, so
// that a filter added later is part of it too), the title and the base URL
// of the links. Its Content-Disposition goes with it.
type exportVariant struct {
	route       string
	filter      store.TimelineFilter
	title       string
	base        string
	disposition string
}

func (v exportVariant) key() string {
	return fmt.Sprintf("%q %q %q %#v", v.route, v.title, v.base, v.filter)
}
