package server

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"log/slog"
	"os"
	"sync"

	"github.com/foitrack/foitrack/store"
)

// A timeline download is a walk over every event and its links (at a
// million requests: 10,000 events, 5 MB, over a second of CPU), and the
// same file is asked for again and again while nothing changes. So the
// bytes of each download written are kept in a file, with the database's
// version when its writing began (store.DataVersion: any commit, by this
// process or another, changes it), and sent again, from the file, while
// the version is the same. A download's bytes depend on nothing else than
// its variant (exportVariant): the same for every viewer (exports are for
// the public), with no date or time in them.
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

// keptExport is one kept download.
type keptExport struct {
	path    string
	version store.DataVersion
	etag    string
	used    uint64
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

// open returns the kept file of the variant key if it was written at
// version v, open, with its ETag; nil if there is none. A file of another
// version will never be sent again: it is removed.
func (k *keptExports) open(key string, v store.DataVersion) (*os.File, string) {
	k.mu.Lock()
	defer k.mu.Unlock()
	e := k.files[key]
	if e == nil {
		return nil, ""
	}
	if e.version != v {
		k.drop(key)
		return nil, ""
	}
	f, err := os.Open(e.path)
	if err != nil {
		k.drop(key)
		return nil, ""
	}
	k.uses++
	e.used = k.uses
	return f, e.etag
}

// create starts a file for a download being written at version v: its
// bytes go to the client and, through the returned writer, to the file,
// which keep then keeps. nil when nothing is kept.
func (k *keptExports) create(key string, v store.DataVersion) *keptWriter {
	if k.dir == "" {
		return nil
	}
	f, err := os.CreateTemp(k.dir, "timeline-*.json")
	if err != nil {
		return nil
	}
	return &keptWriter{f: f, key: key, version: v, sum: sha256.New()}
}

// keep keeps the file w wrote (the whole download: the caller has written
// it all), in place of the variant's last one, and drops every file of
// another version and the least recently used beyond maxKeptExports. A
// file that could not be written whole is removed instead.
func (k *keptExports) keep(w *keptWriter) {
	err := w.f.Close()
	if err == nil {
		err = w.err
	}
	if err != nil {
		os.Remove(w.f.Name())
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for key, e := range k.files {
		if e.version != w.version {
			k.drop(key)
		}
	}
	k.drop(w.key)
	k.uses++
	k.files[w.key] = &keptExport{path: w.f.Name(), version: w.version, etag: `"` + hex.EncodeToString(w.sum.Sum(nil)) + `"`, used: k.uses}
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

// discard removes the file of a download that was not written whole.
func (k *keptExports) discard(w *keptWriter) {
	w.f.Close()
	os.Remove(w.f.Name())
}

// drop forgets key's file and removes it (a download sending it from an
// open file still sends it whole). k.mu is held.
func (k *keptExports) drop(key string) {
	if e := k.files[key]; e != nil {
		os.Remove(e.path)
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
// its ETag. It never fails the download: the first error (a full disk, the
// file grown past maxKeptExportBytes) only means the file is not kept.
type keptWriter struct {
	f       *os.File
	key     string
	version store.DataVersion
	sum     hash.Hash
	n       int64
	err     error
}

func (w *keptWriter) Write(b []byte) (int, error) {
	if w.err != nil {
		return len(b), nil
	}
	if w.n += int64(len(b)); w.n > maxKeptExportBytes {
		w.err = fmt.Errorf("longer than %d bytes", maxKeptExportBytes)
		return len(b), nil
	}
	if _, err := w.f.Write(b); err != nil {
		w.err = err
		return len(b), nil
	}
	w.sum.Write(b)
	return len(b), nil
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
