package mailsync

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/foitrack/foitrack/store"
)

// blobDurability follows, from the store's blob syncs (store.OnBlobSync),
// what a power cut would keep of the blob store: a blob's content once a
// sync covering its file ran while the file was there (being written, or
// under its name), its name once a sync covering that name ran. At each
// sync, and at the end, every committed message row must name a blob whose
// content and name were durable already, and no blob may have had its name
// before its content was durable (the next pass would take the file under
// that name for stored, and a row would name a torn file).
type blobDurability struct {
	t       *testing.T
	f       *fixture
	mu      sync.Mutex
	content map[string]bool // sha256s whose content is durable
	named   map[string]bool // sha256s whose name is durable
	syncs   int
	faults  []string
}

func newBlobDurability(f *fixture) *blobDurability {
	d := &blobDurability{t: f.t, f: f, content: map[string]bool{}, named: map[string]bool{}}
	f.st.OnBlobSync = d.sync
	return d
}

// sync is called just before the store syncs paths (the blob directory
// alone: its whole file system).
func (d *blobDurability) sync(paths []string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.syncs++
	d.checkRows("before a blob sync")
	root := d.f.st.BlobDir
	visit := func(p string, dirEntry bool) {
		b, err := os.ReadFile(p)
		if err != nil {
			return
		}
		h := sha256.Sum256(b)
		sum := hex.EncodeToString(h[:])
		name := filepath.Base(p)
		if strings.HasPrefix(name, ".incoming-") {
			d.content[sum] = true
			return
		}
		if name != sum {
			return
		}
		if !d.content[sum] {
			d.faults = append(d.faults, fmt.Sprintf("blob %s… had its name before its content was synced", sum[:12]))
		}
		d.content[sum] = true
		if dirEntry {
			d.named[sum] = true
		}
	}
	for _, p := range paths {
		if p == root && len(paths) == 1 { // the whole file system
			filepath.WalkDir(root, func(q string, e os.DirEntry, err error) error {
				if err == nil && !e.IsDir() {
					visit(q, true)
				}
				return nil
			})
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		if !st.IsDir() {
			visit(p, false)
			continue
		}
		ents, _ := os.ReadDir(p)
		for _, e := range ents {
			if !e.IsDir() {
				visit(filepath.Join(p, e.Name()), true)
			}
		}
	}
}

// checkRows records a fault for each committed row naming a blob whose
// content or name is not durable yet.
func (d *blobDurability) checkRows(when string) {
	msgs, err := d.f.st.MailMessages(d.f.ctx, store.MailFilter{Direction: "in"})
	if err != nil {
		d.faults = append(d.faults, err.Error())
		return
	}
	for _, m := range msgs {
		if m.RawSHA256 == "" {
			continue
		}
		if !d.content[m.RawSHA256] || !d.named[m.RawSHA256] {
			d.faults = append(d.faults, fmt.Sprintf("%s: message UID %d is committed, its blob %s… not synced (content %v, name %v)",
				when, m.UID, m.RawSHA256[:12], d.content[m.RawSHA256], d.named[m.RawSHA256]))
		}
	}
}

// A message row commits only once its raw blob, and the blob's name, are
// synced: a power cut must never leave a stored message without its file.
func TestBlobsSyncedBeforeTheirRowsCommit(t *testing.T) {
	f := newFixture(t)
	const total = 40
	for i := 0; i < total; i++ {
		f.append(textMail("x@y.example", "foi@example.org", fmt.Sprintf("Message %d", i), fmt.Sprintf("durable-%d@x", i), fmt.Sprintf("text %d", i)))
	}
	f.append(textMail("x@y.example", "foi@example.org", "Message 0", "durable-0@x", "text 0")) // the same content again
	f.sameContentOK = true
	d := newBlobDurability(f)
	s := f.syncer()
	s.BatchBytes = 3000 // several batches
	if sum, err := s.Run(f.ctx); err != nil || sum.Fetched != total+1 {
		t.Fatalf("sync: %+v, %v", sum, err)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.checkRows("after the pass")
	if d.syncs < 2 {
		t.Errorf("%d blob syncs seen, want at least two (content, then names)", d.syncs)
	}
	for _, fault := range d.faults {
		t.Error(fault)
	}
	f.assertStoredOnce(total + 1)
}
