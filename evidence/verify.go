package evidence

import (
	"archive/zip"
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"sort"
	"strconv"
	"strings"

	"github.com/foitrack/foitrack/mailsync"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/timeline"
)

// Problem is something wrong with a bundle, in the file it is in.
type Problem struct {
	File   string
	Detail string
}

func (p Problem) String() string { return p.File + ": " + p.Detail }

// DKIMOutcome is one signature re-verified offline.
type DKIMOutcome struct {
	File     string // the .eml
	Domain   string
	Selector string
	AtIngest string // status recorded when the message was fetched
	Now      string // status now, against the recorded key
	Error    string
}

// Report is what Verify found.
type Report struct {
	Manifest     *Manifest
	Files        int // files hashed
	AuditEntries int // audit entries checked
	AuditProven  int // entries whose opened fields and inclusion proof checked out
	// Checkpoint is the bundle's checkpoint; CheckpointSigned says its
	// signature was checked with the verifier key given; Consistent that
	// the later checkpoint given was proven to extend it.
	Checkpoint       *store.Checkpoint
	CheckpointSigned bool
	Consistent       bool
	DKIM             []DKIMOutcome
	Attachments      int // documents found inside their signed message
	Problems         []Problem
}

// OK reports whether the bundle checked out.
func (r *Report) OK() bool { return len(r.Problems) == 0 }

func (r *Report) add(file, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{File: file, Detail: fmt.Sprintf(format, args...)})
}

// maxKeep bounds a file Verify holds in memory (manifest, mail, events);
// documents are only streamed through the hash.
const maxKeep = 256 << 20

// bundleFile is a file of the bundle as read.
type bundleFile struct {
	sha256  string
	size    int64
	data    []byte // kept for the manifest, sums, mail and events
	readErr string // the zip's own CRC check, decompression
}

func keep(name string) bool {
	return name == ManifestName || name == SumsName || name == CheckpointName || strings.HasSuffix(name, ".eml") || strings.HasPrefix(name, "events/")
}

func readEntry(name string, r io.Reader) bundleFile {
	h := sha256.New()
	var buf bytes.Buffer
	var w io.Writer = h
	if keep(name) {
		w = io.MultiWriter(h, &limitedBuffer{b: &buf, max: maxKeep})
	}
	n, err := io.Copy(w, r)
	f := bundleFile{sha256: hex.EncodeToString(h.Sum(nil)), size: n}
	if keep(name) {
		f.data = buf.Bytes()
	}
	if err != nil {
		if errors.Is(err, zip.ErrChecksum) {
			f.readErr = "its bytes no longer match the CRC the zip recorded when the bundle was written"
		} else {
			f.readErr = "could not be read whole: " + err.Error()
		}
	}
	return f
}

type limitedBuffer struct {
	b   *bytes.Buffer
	max int
}

func (l *limitedBuffer) Write(p []byte) (int, error) {
	if l.b.Len()+len(p) > l.max {
		return 0, fmt.Errorf("over %d bytes", l.max)
	}
	return l.b.Write(p)
}

// readBundle reads a zip, or a directory the zip was unpacked into.
func readBundle(p string) (map[string]*bundleFile, error) {
	files := map[string]*bundleFile{}
	st, err := os.Stat(p)
	if err != nil {
		return nil, fmt.Errorf("evidence: %w", err)
	}
	if st.IsDir() {
		root, err := os.OpenRoot(p)
		if err != nil {
			return nil, fmt.Errorf("evidence: %w", err)
		}
		defer root.Close()
		err = fs.WalkDir(root.FS(), ".", func(name string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if !d.Type().IsRegular() {
				return nil
			}
			f, err := root.Open(name)
			if err != nil {
				return err
			}
			defer f.Close()
			bf := readEntry(name, f)
			files[name] = &bf
			return nil
		})
		if err != nil {
			return nil, fmt.Errorf("evidence: unable to read %s: %w", p, err)
		}
		return files, nil
	}
	zr, err := zip.OpenReader(p)
	if err != nil {
		return nil, fmt.Errorf("evidence: %s is not a readable zip: %w", p, err)
	}
	defer zr.Close()
	for _, zf := range zr.File {
		if strings.HasSuffix(zf.Name, "/") {
			continue
		}
		name := path.Clean(strings.ReplaceAll(zf.Name, `\`, "/"))
		rc, err := zf.Open()
		if err != nil {
			files[name] = &bundleFile{readErr: "cannot be opened: " + err.Error()}
			continue
		}
		bf := readEntry(name, rc)
		rc.Close()
		if _, dup := files[name]; dup {
			bf.readErr = "appears twice in the zip"
		}
		files[name] = &bf
	}
	return files, nil
}

// parseSums reads sha256sum output.
func parseSums(data []byte, r *Report) map[string]string {
	out := map[string]string{}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if strings.TrimSpace(line) == "" {
			continue
		}
		sum, name, ok := strings.Cut(line, "  ")
		if !ok || len(sum) != 64 {
			r.add(SumsName, "line %d is not 'sha256  path': %q", n, line)
			continue
		}
		if _, err := hex.DecodeString(sum); err != nil {
			r.add(SumsName, "line %d: %q is not a sha256", n, sum)
			continue
		}
		out[strings.TrimPrefix(name, "*")] = strings.ToLower(sum)
	}
	return out
}

// Verify checks a bundle (a zip, or the directory it was unpacked into)
// with no database and no network. Every problem is reported, each in the
// file it is in; a nil error with problems means the bundle was read but
// does not check out.
func Verify(bundlePath string) (*Report, error) { return VerifyWith(bundlePath, VerifyOptions{}) }

// VerifyOptions are what a reader brings from outside the bundle.
type VerifyOptions struct {
	// VerifierKey (a C2SP note verifier key, from the tracker's /audit page
	// or its operator) also checks the checkpoint's signature.
	VerifierKey string
	// Later is a checkpoint published after the bundle's; Proof proves that
	// the log of Later extends the bundle's (`foitrack audit
	// prove-consistency`). Without Proof, Later must be the same size.
	Later, Proof         []byte
	LaterName, ProofName string // file names, for problems
}

// VerifyWith is Verify with what the reader brings.
func VerifyWith(bundlePath string, opt VerifyOptions) (*Report, error) {
	files, err := readBundle(bundlePath)
	if err != nil {
		return nil, err
	}
	r := &Report{}
	for _, name := range sortedNames(files) {
		if f := files[name]; f.readErr != "" {
			r.add(name, "%s", f.readErr)
		}
	}

	var sums map[string]string
	if sf, ok := files[SumsName]; ok {
		sums = parseSums(sf.data, r)
	} else {
		r.add(SumsName, "missing from the bundle")
	}

	mf, ok := files[ManifestName]
	if !ok {
		r.add(ManifestName, "missing from the bundle")
		checkAgainstSums(files, sums, nil, r)
		return r, nil
	}
	if want, ok := sums[ManifestName]; ok && want != mf.sha256 {
		r.add(ManifestName, "changed: its sha256 is %s, SHA256SUMS recorded %s", mf.sha256, want)
	}
	var m Manifest
	if err := json.Unmarshal(mf.data, &m); err != nil {
		r.add(ManifestName, "is not valid JSON (%s)", jsonErr(mf.data, err))
		checkAgainstSums(files, sums, nil, r)
		return r, nil
	}
	r.Manifest = &m
	if m.Format != Format {
		r.add(ManifestName, "format %q is not %q", m.Format, Format)
	}
	if m.Kind != Public && m.Kind != Confidential {
		r.add(ManifestName, "kind %q is neither %q nor %q", m.Kind, Public, Confidential)
	}
	listed := map[string]File{}
	for _, f := range m.Files {
		listed[f.Path] = f
	}
	checkAgainstSums(files, sums, listed, r)
	checkCrossReferences(&m, files, listed, r)
	if m.Kind == Public {
		checkPublic(&m, files, r)
	}
	checkAudit(&m, files, opt, r)
	checkMail(&m, files, r)
	return r, nil
}

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func jsonErr(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		line := 1 + bytes.Count(data[:min(int(se.Offset), len(data))], []byte("\n"))
		return fmt.Sprintf("line %d: %s", line, se.Error())
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		line := 1 + bytes.Count(data[:min(int(te.Offset), len(data))], []byte("\n"))
		return fmt.Sprintf("line %d: %s", line, te.Error())
	}
	return err.Error()
}

// checkAgainstSums compares each file's hash with the manifest's and
// SHA256SUMS's: where two of the three agree, the third is the one changed,
// so the problem is reported in the file that actually changed.
func checkAgainstSums(files map[string]*bundleFile, sums map[string]string, listed map[string]File, r *Report) {
	names := map[string]bool{}
	for n := range files {
		names[n] = true
	}
	for n := range sums {
		names[n] = true
	}
	for n := range listed {
		names[n] = true
	}
	for _, name := range sortedNames(names) {
		if name == SumsName || name == ManifestName {
			continue
		}
		f, present := files[name]
		lf, inManifest := listed[name]
		s, inSums := sums[name]
		switch {
		case !present:
			r.add(name, "missing from the bundle (listed in %s)", ifs(inManifest, ManifestName)+ifs(inManifest && inSums, " and ")+ifs(inSums, SumsName))
			continue
		case listed != nil && !inManifest:
			r.add(name, "is not in the manifest: it was added to the bundle")
			continue
		}
		r.Files++
		if listed == nil { // no usable manifest: the sums are all there is
			if inSums && s != f.sha256 {
				r.add(name, "changed: its sha256 is %s, SHA256SUMS recorded %s", f.sha256, s)
			} else if !inSums {
				r.add(name, "is not in %s", SumsName)
			}
			continue
		}
		m := lf.SHA256
		switch {
		case f.sha256 == m && (!inSums || s == m):
			if f.size != lf.Size {
				r.add(ManifestName, "records %d bytes for %s, the file has %d", lf.Size, name, f.size)
			}
			if !inSums {
				r.add(SumsName, "has no line for %s", name)
			}
		case f.sha256 == m:
			r.add(SumsName, "changed: its line for %s says %s, but the file and the manifest agree on %s", name, s, m)
		case inSums && s == f.sha256:
			r.add(ManifestName, "changed: it records sha256 %s for %s, but the file and SHA256SUMS agree on %s", m, name, f.sha256)
		case inSums && s == m:
			r.add(name, "changed: its sha256 is %s, the manifest and SHA256SUMS recorded %s", f.sha256, m)
		default:
			r.add(name, "changed: its sha256 is %s, the manifest recorded %s", f.sha256, m)
		}
	}
}

// checkCrossReferences checks that the manifest agrees with itself: each
// document and message is the file the files list hashes.
func checkCrossReferences(m *Manifest, files map[string]*bundleFile, listed map[string]File, r *Report) {
	for _, d := range m.Documents {
		if d.Path == "" {
			continue
		}
		if lf, ok := listed[d.Path]; !ok {
			r.add(ManifestName, "document %d names %s, which is not in its files list", d.ID, d.Path)
		} else if lf.SHA256 != d.SHA256 {
			r.add(ManifestName, "document %d's sha256 %s differs from the files list's %s for %s", d.ID, d.SHA256, lf.SHA256, d.Path)
		}
	}
	for _, msg := range m.Messages {
		if msg.Path == "" {
			continue
		}
		if lf, ok := listed[msg.Path]; !ok {
			r.add(ManifestName, "message %d names %s, which is not in its files list", msg.ID, msg.Path)
		} else if lf.SHA256 != msg.RawSHA256 {
			r.add(ManifestName, "message %d's raw_sha256 %s differs from the files list's %s for %s", msg.ID, msg.RawSHA256, lf.SHA256, msg.Path)
		}
	}
}

// checkAudit checks the checkpoint the bundle carries (its signature too
// when a verifier key is given, and its consistency with a later checkpoint
// when one is given), every audit entry's opened fields against their
// commitments and its inclusion in the checkpoint's tree, and that the
// documents, messages, events and links of the bundle are what the log
// recorded.
func checkAudit(m *Manifest, files map[string]*bundleFile, opt VerifyOptions, r *Report) {
	cpFile := files[m.Checkpoint.Path]
	if m.Checkpoint.Path == "" || cpFile == nil || cpFile.data == nil {
		r.add(ManifestName, "names no checkpoint file the bundle holds (%q): its audit entries cannot be checked", m.Checkpoint.Path)
		return
	}
	cp, err := store.ParseCheckpoint(cpFile.data)
	if err != nil {
		r.add(m.Checkpoint.Path, "is not a checkpoint: %v", err)
		return
	}
	if opt.VerifierKey != "" {
		if _, err := store.OpenCheckpoint(cpFile.data, opt.VerifierKey); err != nil {
			r.add(m.Checkpoint.Path, "%v", err)
		} else {
			r.CheckpointSigned = true
		}
	}
	if cp.Size != m.Checkpoint.TreeSize || cp.Root.String() != m.Checkpoint.Root || cp.Origin != m.Checkpoint.Origin {
		r.add(ManifestName, "names checkpoint %s %d %s, the checkpoint file says %s %d %s", m.Checkpoint.Origin, m.Checkpoint.TreeSize, m.Checkpoint.Root,
			cp.Origin, cp.Size, cp.Root)
	}
	r.Checkpoint = &cp
	checkConsistency(cp, opt, r)

	entries := append([]store.AuditProof(nil), m.Audit...)
	sort.Slice(entries, func(i, j int) bool { return entries[i].ID < entries[j].ID })
	for i, e := range entries {
		r.AuditEntries++
		if err := e.Verify(cp.Size, cp.Root); err != nil {
			r.add(ManifestName, "audit entry %d (%s %s %d): %v", e.ID, e.Action, e.Entity, e.EntityID, err)
		} else {
			r.AuditProven++
		}
		if i > 0 && entries[i-1].ID == e.ID {
			r.add(ManifestName, "audit entry %d appears twice", e.ID)
		}
	}
	// The last state the log recorded of each row, as far as it is opened.
	last := map[string]map[string]json.RawMessage{}
	for _, e := range entries {
		key := e.Entity + "/" + strconv.FormatInt(e.EntityID, 10)
		if e.Deletes() && (e.Action == "delete" || e.Action == "unlink") {
			last[key] = nil
			continue
		}
		obj := e.After()
		if last[key] == nil && obj != nil {
			last[key] = map[string]json.RawMessage{}
		}
		for f := range e.Fields {
			k, isAfter := strings.CutPrefix(f, "after.")
			if !isAfter || last[key] == nil {
				continue
			}
			if v, opened := obj[k]; opened {
				last[key][k] = v
			} else {
				delete(last[key], k) // closed: what it was set to is not known here
			}
		}
	}
	str := func(raw json.RawMessage) string {
		var s string
		_ = json.Unmarshal(raw, &s)
		return s
	}
	for _, d := range m.Documents {
		rec, ok := last["document/"+strconv.FormatInt(d.ID, 10)]
		if !ok || rec == nil {
			r.add(ManifestName, "no audit entry in the bundle records document %d", d.ID)
			continue
		}
		if got, opened := rec["sha256"]; opened && str(got) != d.SHA256 {
			r.add(ManifestName, "document %d has sha256 %s, the audit log recorded %s", d.ID, d.SHA256, str(got))
		}
		if got, opened := rec["filename"]; opened && str(got) != d.Filename {
			r.add(ManifestName, "document %d is named %q, the audit log recorded %q", d.ID, d.Filename, str(got))
		}
		if got, opened := rec["disposition"]; opened && str(got) != d.Disposition {
			r.add(ManifestName, "document %d is %s, the audit log recorded %s", d.ID, d.Disposition, str(got))
		}
	}
	for _, msg := range m.Messages {
		rec := last["mail_message/"+strconv.FormatInt(msg.ID, 10)]
		if rec == nil {
			r.add(ManifestName, "no audit entry in the bundle records message %d", msg.ID)
			continue
		}
		if got, opened := rec["raw_sha256"]; opened && str(got) != msg.RawSHA256 {
			r.add(ManifestName, "message %d has raw sha256 %s, the audit log recorded %s", msg.ID, msg.RawSHA256, str(got))
		}
		if _, opened := rec["mailbox"]; opened && msg.Direction == "in" {
			if got := str(rec["mailbox"]); got != msg.Mailbox {
				r.add(ManifestName, "message %d came from mailbox %q, the audit log recorded %q", msg.ID, msg.Mailbox, got)
			}
			if got := string(rec["uid"]); got != strconv.FormatUint(uint64(msg.UID), 10) {
				r.add(ManifestName, "message %d has UID %d, the audit log recorded %s", msg.ID, msg.UID, got)
			}
		}
	}
	for _, ev := range m.Events {
		rec := last["timeline_event/"+strconv.FormatInt(ev.ID, 10)]
		f := files[ev.Path]
		if rec == nil {
			r.add(ManifestName, "no audit entry in the bundle records timeline event %d", ev.ID)
			continue
		}
		if f == nil || f.data == nil {
			continue // reported as missing already
		}
		// The file is the recorded event plus what its links add.
		parsed, err := timeline.ParseMarkdown(ev.Path, f.data)
		if err != nil {
			r.add(ev.Path, "does not read as an event: %v", err)
			continue
		}
		ids := map[int64]bool{}
		for _, l := range ev.Links {
			ids[l.ID] = true
		}
		parsed.StripLinks(func(id int64) bool { return ids[id] })
		_, fm := rec["front_matter"]
		_, body := rec["body"]
		if !fm || !body {
			continue // closed in a public bundle: a censor rule changed the event
		}
		recorded, err := timeline.Load(str(rec["format"]), str(rec["front_matter"]), str(rec["body"]))
		if err != nil {
			r.add(ManifestName, "timeline event %d as recorded does not load: %v", ev.ID, err)
			continue
		}
		if !timeline.SameData(parsed, recorded) {
			r.add(ev.Path, "differs from timeline event %d as the audit log recorded it (entry with its front matter and body)", ev.ID)
		}
		for _, l := range ev.Links {
			lr := last["event_link/"+strconv.FormatInt(l.ID, 10)]
			if lr == nil {
				r.add(ManifestName, "no audit entry in the bundle records link %d of event %s", l.ID, ev.Slug)
				continue
			}
			if str(lr["role"]) != l.Role || string(lr["event_id"]) != strconv.FormatInt(ev.ID, 10) ||
				idOf(lr["document_id"]) != l.DocumentID || idOf(lr["message_id"]) != l.MessageID || idOf(lr["request_id"]) != l.RequestID {
				r.add(ManifestName, "link %d of event %s is not the link the audit log recorded", l.ID, ev.Slug)
			}
		}
	}
}

func idOf(raw json.RawMessage) int64 {
	n, _ := strconv.ParseInt(string(raw), 10, 64)
	return n
}

// checkMail re-verifies each message's DKIM signatures against the keys in
// the manifest and finds each document among its message's attachments.
func checkMail(m *Manifest, files map[string]*bundleFile, r *Report) {
	byID := map[int64]Message{}
	for _, msg := range m.Messages {
		byID[msg.ID] = msg
		f := files[msg.Path]
		if msg.Path == "" || f == nil || f.data == nil || msg.Direction != "in" {
			continue
		}
		signed := false
		for _, k := range msg.DKIM {
			if k.Status != "none" {
				signed = true
			}
		}
		if !signed {
			continue
		}
		results := mailsync.VerifyDKIMWithKeys(f.data, m.DKIMKeys)
		for i, res := range results {
			o := DKIMOutcome{File: msg.Path, Domain: res.Domain, Selector: res.Selector, Now: res.Status, Error: res.Error}
			if i < len(msg.DKIM) {
				o.AtIngest = msg.DKIM[i].Status
			}
			r.DKIM = append(r.DKIM, o)
			if o.AtIngest == mailsync.DKIMPass && res.Status != mailsync.DKIMPass {
				r.add(msg.Path, "DKIM signature d=%s s=%s passed at ingest but fails now against the recorded key: %s", res.Domain, res.Selector, res.Error)
			}
		}
		if len(results) < len(msg.DKIM) {
			r.add(msg.Path, "had %d DKIM signatures at ingest, has %d now", len(msg.DKIM), len(results))
		}
	}
	for _, d := range m.Documents {
		if d.Path == "" || d.MessageID == 0 {
			continue
		}
		msg, ok := byID[d.MessageID]
		if ok && msg.Path == "" && msg.TextPath != "" {
			continue // a public bundle has the message's text, not the signed raw message
		}
		f := files[msg.Path]
		if !ok || f == nil || f.data == nil {
			r.add(ManifestName, "document %d came in message %d, which the bundle does not hold", d.ID, d.MessageID)
			continue
		}
		// The document's bytes as they are in the bundle (not as the
		// manifest says they were) must be in the signed message.
		actual := d.SHA256
		if df := files[d.Path]; df != nil {
			actual = df.sha256
		}
		pm, _ := mailsync.ParseMessage(f.data, mailsync.Limits{MaxMessageBytes: int64(len(f.data)) + 1, MaxAttachmentBytes: int64(len(f.data)) + 1})
		found := false
		if pm != nil {
			for _, a := range pm.Attachments {
				if a.SHA256 == actual {
					found = true
					break
				}
			}
		}
		if found {
			r.Attachments++
		} else {
			r.add(d.Path, "is not an attachment of %s, the message it came in (no attachment there has its sha256 %s)", msg.Path, actual)
		}
	}
}

// checkConsistency checks a later checkpoint against the bundle's: the same
// when of the same size, otherwise by a consistency proof.
func checkConsistency(cp store.Checkpoint, opt VerifyOptions, r *Report) {
	if opt.Later == nil {
		return
	}
	later, err := store.ParseCheckpoint(opt.Later)
	if opt.VerifierKey != "" && err == nil {
		later, err = store.OpenCheckpoint(opt.Later, opt.VerifierKey)
	}
	if err != nil {
		r.add(opt.LaterName, "%v", err)
		return
	}
	if later.Origin != cp.Origin {
		r.add(opt.LaterName, "is a checkpoint of log %q, the bundle's is of %q", later.Origin, cp.Origin)
		return
	}
	switch {
	case later.Size < cp.Size:
		r.add(opt.LaterName, "has %d entries, fewer than the bundle's checkpoint (%d): give a later one", later.Size, cp.Size)
	case later.Size == cp.Size && opt.Proof == nil:
		if later.Root != cp.Root {
			r.add(opt.LaterName, "has as many entries as the bundle's checkpoint (%d) but another root: the log was rewritten", cp.Size)
		} else {
			r.Consistent = true
		}
	case opt.Proof == nil:
		r.add(opt.LaterName, "is later (%d entries, the bundle's %d): give the consistency proof between them (foitrack audit prove-consistency)", later.Size, cp.Size)
	default:
		p, err := store.ParseConsistencyProof(opt.Proof)
		if err != nil {
			r.add(opt.ProofName, "%v", err)
			return
		}
		if p.OldSize != cp.Size || p.OldRoot != cp.Root || p.NewSize != later.Size || p.NewRoot != later.Root {
			r.add(opt.ProofName, "is a proof from %d to %d entries, not from the bundle's checkpoint (%d) to %s (%d)", p.OldSize, p.NewSize, cp.Size, opt.LaterName, later.Size)
			return
		}
		if err := p.Check(); err != nil {
			r.add(opt.ProofName, "%v", err)
			return
		}
		r.Consistent = true
	}
}
