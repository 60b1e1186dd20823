// Package store is foitrack's one storage layer: SQLite (modernc.org/sqlite,
// no cgo) with a single-connection writer beside a pool of readers, and a
// content-addressed file store for documents and raw mail. Every change is
// written together with its audit-log entry in one transaction.
package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"golang.org/x/mod/sumdb/tlog"

	"github.com/foitrack/foitrack"
	"github.com/foitrack/foitrack/tracker"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// DefaultDBName is the database file inside the data directory.
const DefaultDBName = "foitrack.db"

// Store is the database and the blob directory.
type Store struct {
	w    *sql.DB // the only writer: one connection, BEGIN IMMEDIATE
	r    *reader // readers: WAL lets them run beside the writer
	path string
	// BlobDir holds content-addressed files (<BlobDir>/ab/<sha256>).
	BlobDir string
	// OnBlobSync, when set (tests), is called just before each sync of a
	// batch of blobs (WriteBlobs) with the files or directories about to
	// be synced; BlobDir alone means its whole file system (syncfs).
	OnBlobSync func(paths []string)
	// Now is the clock; tests move it.
	Now func() time.Time
	// noPlans: the database is at a schema version before the stored next
	// action (only tests open one), so none is written.
	noPlans bool
	// stmts holds the writer's prepared statements.
	stmts stmtCache

	// touches are best-effort writes (a session's or an API token's last
	// use), done in the background so that a read never waits for, or
	// fails on, the write lock (see bestEffort).
	touches   chan func(context.Context) error
	touchDone chan struct{}
	closeOnce sync.Once
	// auditTree: the schema has the transparency log (a database held at
	// an older version by a test has not).
	auditTree bool
	// Incoming is what opening found of blob files a killed run left (and
	// removed): `audit verify` reports it.
	Incoming IncomingCleanup
	// noFigures: likewise, before the stored insight figures (section 18).
	noFigures bool
	// blobDirs: the blob subdirectories WriteBlobBytes and WriteBlobs have
	// made (or found), by path.
	blobDirs sync.Map
	// noHash: likewise, before the standing's fingerprint (plan_hash).
	noHash bool
	// AuditSecrets is where audit entries' secrets are drawn from (nil:
	// crypto/rand). Tests that compare two databases whole, transparency
	// log included, give both the same seeded source.
	AuditSecrets io.Reader
	// noInputs: likewise, before the inputs' fingerprint (plan_inputs).
	noInputs bool
	// linkEntries finds event links' audit entries by what they joined
	// (see AuditEntriesConcerning).
	linkEntries linkEntryIndex
	// noReads: likewise, before the days a standing read (plan_read_from,
	// plan_read_to) and the rules kept whole (plan_rules.rules).
	noReads bool
	// termCounts: how many rows hold a searched word (see termRows).
	termCounts termCounts
	// termsFilled: search_terms holds every indexed word (its fill seen
	// done; see expandPrefixes).
	termsFilled atomic.Bool
	// noJournal: a bulk load's writer keeps no rollback journal (see
	// leaveLog); undone: a transaction was rolled back meanwhile, or a
	// statement failed, which without a journal SQLite cannot undo: the
	// load cannot finish (BulkLoad.Finish).
	noJournal, undone atomic.Bool
	// recomputeReaders, recomputeWorkers and recomputeSpan, when set
	// (tests), are how many goroutines read and work out a Recompute and
	// how many ids a span of it covers (0: one reader per core, at most
	// 2; one worker per core, at most 4; recomputeSpan).
	recomputeReaders int
	recomputeWorkers int
	recomputeSpan    int64
	// readerDSN opens a reader connection (query_only); version is the
	// connection ExportVersion reads on (data_version.go).
	readerDSN string
	version   versionConn
	// wordCounts, itemMatches and searchPages: what the lists' search
	// boxes and the search page work out, kept while nothing is committed
	// (see untilCommitted).
	wordCounts  untilCommitted[wordCount]
	itemMatches untilCommitted[[]int64]
	searchPages untilCommitted[SearchResult]
}

// Options for Open.
type Options struct {
	// SchemaVersion stops migration at this version (0: latest). Only tests
	// that build an old database use it.
	SchemaVersion int
	// Readers is the size of the reader pool (default 4).
	Readers int
	// BusyTimeout is how long a write waits for another process's write
	// lock before it fails (default DefaultBusyTimeout).
	BusyTimeout time.Duration
}

// DefaultBusyTimeout bounds a wait for the write lock. Bulk work (imports)
// commits in short batches, so a wait this long means something is stuck.
const DefaultBusyTimeout = 10 * time.Second

// Open opens (creating if needed) the database in dataDir and upgrades its schema.
func Open(ctx context.Context, dataDir string) (*Store, error) {
	return OpenWith(ctx, dataDir, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dataDir string, opt Options) (*Store, error) {
	if err := os.MkdirAll(dataDir, 0o750); err != nil {
		return nil, fmt.Errorf("store: unable to create data directory %s: %w", dataDir, err)
	}
	path := filepath.Join(dataDir, DefaultDBName)
	s := &Store{r: &reader{}, path: path, BlobDir: filepath.Join(dataDir, "blobs"), Now: time.Now}
	s.wordCounts.bound, s.itemMatches.bound, s.searchPages.bound = 256, 64, 64
	if err := checkBulkMarker(path); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(s.BlobDir, 0o750); err != nil {
		return nil, fmt.Errorf("store: unable to create blob directory: %w", err)
	}
	s.Incoming = cleanIncoming(s.BlobDir, time.Now())
	RemoveLeftovers(dataDir, BackupSnapshotPrefix) // a killed backup's snapshot
	// busy_timeout first, so that even setting WAL waits for a lock rather
	// than failing; then WAL, NORMAL sync (safe with WAL) and foreign keys.
	busy := opt.BusyTimeout
	if busy <= 0 {
		busy = DefaultBusyTimeout
	}
	// A process that has created a data folder before starts the next from
	// a copy of that one's new, empty database (freshdb.go).
	var fresh, copied bool
	if opt.SchemaVersion == 0 {
		if _, err := os.Lstat(path); errors.Is(err, fs.ErrNotExist) {
			fresh = true
			var err error
			if copied, err = placeFreshImage(path); err != nil {
				return nil, err
			}
			if !copied {
				// SQLite would create it with the umask's mode (often 0644),
				// and its WAL and shared-memory files take the database's:
				// created here first, empty, readable by its owner only.
				f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
				if err != nil && !errors.Is(err, fs.ErrExist) {
					return nil, fmt.Errorf("store: unable to create the database: %w", err)
				}
				if f != nil {
					f.Close()
				}
			}
		}
	}
	// Only the writer sets the journal (WAL is kept in the file, and every
	// connection opened after finds it there): a reader that set it too
	// would put a bulk load, which leaves the log (see leaveLog), back in it.
	file := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + fmt.Sprintf("_pragma=busy_timeout(%d)&", busy.Milliseconds())
	pragmas := "_pragma=synchronous(NORMAL)&_pragma=foreign_keys(1)"
	dsn := file + pragmas
	var err error
	if s.w, err = sql.Open("sqlite", file+"_pragma=journal_mode(WAL)&"+pragmas+"&_txlock=immediate"); err != nil {
		return nil, fmt.Errorf("store: unable to open %s: %w", path, err)
	}
	s.w.SetMaxOpenConns(1)
	s.w.SetConnMaxIdleTime(0)
	if err := s.w.PingContext(ctx); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("store: unable to open %s: %w", path, err)
	}
	if err := migrate(ctx, s.w, foitrack.Schema, opt.SchemaVersion); err != nil {
		s.w.Close()
		return nil, err
	}
	if fresh && !copied {
		if err := keepFreshImage(ctx, s.w, dataDir); err != nil {
			s.w.Close()
			return nil, err
		}
	}
	s.readerDSN = dsn + "&_pragma=query_only(1)"
	if s.r.DB, err = sql.Open("sqlite", s.readerDSN); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("store: unable to open readers on %s: %w", path, err)
	}
	n := opt.Readers
	if n <= 0 {
		n = 4
	}
	s.r.SetMaxOpenConns(n)
	// Every connection kept open when idle (database/sql keeps 2): one
	// closed and opened again reads the whole schema anew, and loses the
	// statements prepared on it.
	s.r.SetMaxIdleConns(n)
	s.touches, s.touchDone = make(chan func(context.Context) error, 64), make(chan struct{})
	go s.runTouches()
	// The transparency log's leaves for entries it does not hold yet
	// (all of them, once, after the upgrade that brought it in), before
	// anything below writes an audit entry. A database held at an older
	// schema version (in tests) has no tree.
	var hasTree int
	if err := s.w.QueryRowContext(ctx, `SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit_tree'`).Scan(&hasTree); err != nil {
		s.Close()
		return nil, fmt.Errorf("store: unable to read the schema: %w", err)
	}
	if s.auditTree = hasTree > 0; s.auditTree {
		if err := s.catchUpAuditTree(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	// Plans worked out under older rules (or before the next-action
	// columns existed) are worked out again, once.
	// (A database opened at an older schema version, in tests, has no plans.)
	var planned, stale int
	err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('requests') WHERE name = 'plan_version'`).Scan(&planned)
	s.noPlans = err == nil && planned == 0
	if err == nil {
		var figured int
		err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('requests') WHERE name = 'first_outcome'`).Scan(&figured)
		s.noFigures = figured == 0
	}
	if err == nil {
		var hashed int
		err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('requests') WHERE name = 'plan_hash'`).Scan(&hashed)
		s.noHash = hashed == 0
	}
	if err == nil {
		var inputs int
		err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('requests') WHERE name = 'plan_inputs'`).Scan(&inputs)
		s.noInputs = inputs == 0
	}
	if err == nil {
		var reads int
		err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM pragma_table_info('requests') WHERE name = 'plan_read_from'`).Scan(&reads)
		s.noReads = reads == 0
	}
	if err == nil && planned > 0 {
		err = s.r.QueryRowContext(ctx, `SELECT count(*) FROM (SELECT 1 FROM requests WHERE plan_version < ? LIMIT 1)`,
			tracker.PlanVersion).Scan(&stale)
	}
	if err != nil {
		s.Close()
		return nil, fmt.Errorf("store: unable to check the stored next actions: %w", err)
	}
	if stale > 0 {
		if _, err := s.RecomputeAll(ctx, false); err != nil {
			s.Close()
			return nil, fmt.Errorf("store: unable to work out the next actions again: %w", err)
		}
	}
	return s, nil
}

// bestEffort queues a write that may be dropped: when the queue is full or
// the write fails (the lock is held by a long writer, another process), it
// is skipped. Only bookkeeping goes here (when a session or token was last
// used), never anything a user saves.
func (s *Store) bestEffort(fn func(context.Context) error) {
	select {
	case s.touches <- fn:
	default:
	}
}

// Settle waits until the best-effort writes queued so far are done (or
// dropped): tests that look at a last-use time call it first.
func (s *Store) Settle() {
	done := make(chan struct{})
	s.touches <- func(context.Context) error { close(done); return nil }
	<-done
}

func (s *Store) runTouches() {
	defer close(s.touchDone)
	for fn := range s.touches {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_ = fn(ctx) // best effort: a skipped touch is retried on the next use
		cancel()
	}
}

// Close closes both pools, checkpointing the WAL.
func (s *Store) Close() error {
	s.closeOnce.Do(func() {
		close(s.touches)
		<-s.touchDone
	})
	s.stmts.close()
	err0 := s.version.close()
	err1 := s.r.Close()
	err2 := s.w.Close()
	return errors.Join(err0, err1, err2)
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// SchemaVersion reports the database's PRAGMA user_version.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	var v int
	err := s.r.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v)
	return v, err
}

// Reader exposes the reader pool for packages that keep their queries beside
// their own logic (read-only: the connection refuses writes).
func (s *Store) Reader() *sql.DB { return s.r.DB }

type actorKey struct{}

// WithActor names who makes the changes done with ctx, for the audit log.
func WithActor(ctx context.Context, actor string) context.Context {
	return context.WithValue(ctx, actorKey{}, actor)
}

// Actor returns who acts in ctx ("system" when nobody was named).
func Actor(ctx context.Context) string {
	if a, ok := ctx.Value(actorKey{}).(string); ok && a != "" {
		return a
	}
	return "system"
}

// Tx is a write transaction; Audit appends to the audit log inside it.
type Tx struct {
	*sql.Tx
	s     *Store
	ctx   context.Context
	now   time.Time
	actor string
	// batch: the derived fields of the requests written are worked out
	// once, before the commit, rather than after each change (UpdateBatch).
	batch bool
	dirty map[int64]bool // request id → its updated_at is set too
	order []int64        // dirty ids, first changed first
	// The audit log's head and the transparency log's size and the hashes
	// read or written, as this transaction has left them (it holds the
	// writer's lock, so nobody else moves them).
	auditHead   *auditHead
	treeHashMap map[int64]tlog.Hash
	// A batch's audit entries not written yet (flushAudit), their
	// INSERTs' arguments one row after another (the tree's hashes wait in
	// auditHead.treeKept).
	auditRows []any
	// auditQ works out a batch's audit entries beside it (nil: none yet).
	auditQ *auditWorker
	// newMailCounted: InsertProcessedMail has made sure of the count of
	// new messages.
	newMailCounted bool
	// mailKept: a batch's processed messages not written yet, and keptErr
	// the error writing them met where it could not be returned (see
	// flushMailProcessed).
	mailKept []keptMail
	keptErr  error
	// mailInserts: a batch's InsertProcessedMail rows not written yet,
	// the last under mailLastID (see keptMailInsert).
	mailInserts []keptMailInsert
	mailLastID  int64
	// created: in a batch, each request created in it, with its law and
	// its history as request_events holds it (ORDER BY date, id), so that
	// adding an event and working out the derived fields need not read
	// them back (see eventsOf and AddEvent). A request is left out, and
	// read, after any failure while an event is added to it; all are after
	// a rollback to a savepoint.
	created map[int64]*createdRequest
	// reqKept: in a batch, the requests it created and has not written
	// yet, in the order of their ids; pagesKept, eventsKept,
	// documentsKept and claimsKept: the rows naming them, not written
	// yet either (see requests_kept.go).
	reqKept                                                     []*keptRequest
	blobsKept, pagesKept, eventsKept, documentsKept, claimsKept keptRows
	// authorityLaws: in a batch, authorities' default laws read (see
	// authorityLaw); usersSeen: users an owner was checked to be.
	authorityLaws map[int64]string
	usersSeen     map[int64]bool
}

// createdRequest is what a batch knows of a request it created.
type createdRequest struct {
	law     tracker.LawCode
	history []tracker.Event
}

// Now is the transaction's timestamp (one per transaction, so all rows and
// the audit entry written together agree).
func (tx *Tx) Now() time.Time { return tx.now }

// Update runs fn in a write transaction and commits it when fn returns nil.
func (s *Store) Update(ctx context.Context, fn func(tx *Tx) error) error {
	sqltx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return noSpace(fmt.Errorf("store: unable to begin transaction: %w", err))
	}
	// Microseconds, as stored: an instant read back equals the one written
	// (the audit chain hashes it).
	tx := &Tx{Tx: sqltx, s: s, ctx: ctx, now: s.Now().UTC().Truncate(time.Microsecond), actor: Actor(ctx)}
	defer s.stmts.prepareWanted(ctx, s.w)
	// A full disk, met by SQLite or by a file written inside fn, rolls the
	// whole transaction back and is reported as one clear error.
	err = fn(tx)
	if err == nil {
		err = tx.flushDerived() // first: the requests kept back are written complete
	}
	if err == nil {
		err = tx.flushKept()
	}
	if err == nil {
		err = tx.keptErr
	}
	if err == nil {
		err = tx.flushAudit()
	}
	if err != nil {
		tx.joinAudit()
		s.undoing()
		sqltx.Rollback()
		return noSpace(err)
	}
	if err := sqltx.Commit(); err != nil {
		return noSpace(fmt.Errorf("store: unable to commit: %w", err))
	}
	return nil
}

// undoing notes a rollback (of a transaction or to a savepoint) or a
// statement that failed while a bulk load keeps no journal: SQLite cannot
// undo what they wrote.
func (s *Store) undoing() {
	if s.noJournal.Load() {
		s.undone.Store(true)
	}
}

// rollbackWriter rolls back a transaction of the writer's not committed
// (a no-op after Commit), noting it as undoing does.
func (s *Store) rollbackWriter(tx *sql.Tx) {
	if tx.Rollback() == nil {
		s.undoing()
	}
}

// UpdateBatch is Update for writers of many changes at once (dev seed, an
// import): the fields derived from each request's history and proposals
// (status, due date, next action, windows, figures) are worked out once per
// request, just before the commit, instead of after every event and
// message. What is stored is the same as Update would store, audit entries
// included (the status change an event makes is audited as it is made);
// only reads of a request's derived columns inside fn see them as they were
// before the batch (for a request the batch created, as they stand when
// the read writes it: see requests_kept.go).
func (s *Store) UpdateBatch(ctx context.Context, fn func(tx *Tx) error) error {
	return s.Update(ctx, func(tx *Tx) error {
		tx.batch = true
		return fn(tx)
	})
}

// Context is the context the transaction was begun with.
func (tx *Tx) Context() context.Context { return tx.ctx }

// tsLayout is how every instant is stored: UTC, fixed width (always six
// fraction digits), so that text order is time order in SQL comparisons
// and ORDER BY. Older databases were rewritten to it by the schema section
// "fixed-width timestamps".
const tsLayout = "2006-01-02T15:04:05.000000Z"

// ts formats an instant for storage.
func ts(t time.Time) string { return t.UTC().Format(tsLayout) }

// parseTS reads an instant written by ts (or, in a column the audit log
// vouches for, by the variable-width RFC 3339 of older versions).
func parseTS(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}

// jsonList encodes a string list as a JSON array ("[]" for none).
func jsonList(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(l)
	return string(b)
}

// parseList decodes a JSON array written by jsonList.
func parseList(s string) []string {
	if s == "[]" {
		return []string{} // what json.Unmarshal makes of it, without reading it (a mail list's rows have five)
	}
	if l, ok := parsePlainList(s); ok {
		return l
	}
	var l []string
	_ = json.Unmarshal([]byte(s), &l)
	return l
}

// parsePlainList is parseList of the lists most are, as json.Marshal
// writes them: valid UTF-8 strings with nothing escaped and no control
// character, quoted and separated by commas with no spaces (a request's
// tags, read with every row of a list). Each string is then the text
// between its quotes, as it is (a part of s): json.Unmarshal's reflection
// over it was 3% of the API list's CPU. false for anything else, which
// json.Unmarshal reads.
func parsePlainList(s string) ([]string, bool) {
	if len(s) < 4 || s[:2] != `["` || s[len(s)-2:] != `"]` || !utf8.ValidString(s) {
		return nil, false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] == '\\' { // an escape, or what JSON refuses
			return nil, false
		}
	}
	inner := s[2 : len(s)-2]
	l := make([]string, 0, strings.Count(inner, `","`)+1)
	for item := range strings.SplitSeq(inner, `","`) {
		// No escapes: a quote inside an item is a list written some
		// other way (spaces after the commas, say).
		if strings.IndexByte(item, '"') >= 0 {
			return nil, false
		}
		l = append(l, item)
	}
	return l, true
}

// notFound is the error for a missing row of the given kind.
func notFound(kind string, id any) error {
	return tracker.Errorf(tracker.ENOTFOUND, "%s %v not found", kind, id)
}
