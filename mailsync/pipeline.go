package mailsync

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/foitrack/foitrack/store"
)

// A sync pass is a pipeline of three stages, each working on a different
// batch at the same time:
//
//  1. a goroutine fetches batch n+1 from the server (the connection is only
//     ever used by it);
//  2. the pass stores batch n: the raw messages written as blobs and synced,
//     several at once, then one transaction records every message of the
//     batch and moves the checkpoint past them. Nothing is parsed before it
//     is stored, so a message the parser cannot survive is still stored,
//     and the checkpoint never passes a message whose row is not committed
//     (the rows and the checkpoint are in the same transaction);
//  3. a goroutine processes batch n-1, stored already: each message parsed,
//     its DKIM signatures verified and its text read for the classifier by
//     several goroutines at once, outside any transaction; then one
//     transaction files the whole batch (matching, documents, proposals).
//     A crash before that commit leaves the batch in state new, which the
//     next pass processes first.
//
// At most one batch waits between two stages, so memory stays bounded by a
// few batches (BatchBytes each).

// pipelineWorkers is how many messages of a batch are written, or parsed
// and verified, at once: blob syncs and DKIM lookups wait on the disk and
// the network, so more than the cores.
const pipelineWorkers = 8

// fetchedBatch is one batch as the server sent it.
type fetchedBatch struct {
	b    batch
	msgs []fetchedMsg // in the order the server answered
	err  error        // the fetch failed after msgs (a dropped connection)
}

// fetchedMsg is a whole message, or the header of an over-limit one.
type fetchedMsg struct {
	uid  uint32
	data []byte
}

// storedMsg is a message stored by this pass, to be processed.
type storedMsg struct {
	m   store.MailMessage
	raw []byte // nil for an over-limit message
}

// fetchBatches fetches each batch in turn and hands it on, until the
// batches run out, a fetch fails or ctx is done.
func fetchBatches(ctx context.Context, src Source, bs []batch, out chan<- fetchedBatch) {
	defer close(out)
	for _, b := range bs {
		if ctx.Err() != nil {
			return
		}
		fb := fetchedBatch{b: b}
		collect := func(uid uint32, data []byte) error {
			fb.msgs = append(fb.msgs, fetchedMsg{uid: uid, data: data})
			return nil
		}
		if b.overLimit {
			fb.err = src.FetchHeaders(ctx, b.uids, collect)
		} else {
			fb.err = src.FetchRaw(ctx, b.uids, collect)
		}
		select {
		case out <- fb:
		case <-ctx.Done():
			return
		}
		if fb.err != nil {
			return
		}
	}
}

// parallel runs fn(0)…fn(n-1) on up to pipelineWorkers goroutines and
// returns the first error.
func parallel(n int, fn func(i int) error) error {
	if n == 1 {
		return fn(0)
	}
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
		next  int
	)
	for w := 0; w < min(n, pipelineWorkers); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				i := next
				next++
				stop := first != nil
				mu.Unlock()
				if i >= n || stop {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return first
}

// storeBatch stores the messages of a fetched batch exactly once: their
// blobs written and synced first, then in one transaction their rows and
// the checkpoint. It returns the messages stored now (to be processed) and
// those stored already (duplicates).
func (s *Syncer) storeBatch(ctx context.Context, cfg Config, uv uint32, cur *cursor, fb fetchedBatch) ([]storedMsg, []Result, error) {
	if len(fb.msgs) == 0 {
		return nil, nil, nil
	}
	msgs := make([]storedMsg, len(fb.msgs))
	var contents [][]byte
	for i, f := range fb.msgs {
		header := headerBlock(f.data)
		m := store.MailMessage{MessageID: quickMessageID(header), Mailbox: cfg.Mailbox, UIDValidity: uv, UID: f.uid,
			RawHeaders: string(header), State: store.MailNew}
		if fb.b.overLimit {
			m.RawSize = fb.b.sizes[f.uid]
			m.Error = fmt.Sprintf("the message is %d bytes, over the limit of %d bytes: only its header was fetched", m.RawSize, cfg.MaxMessageBytes)
		} else {
			m.RawSize = int64(len(f.data))
			msgs[i].raw = f.data
			contents = append(contents, f.data)
		}
		msgs[i].m = m
	}
	if len(contents) > 0 {
		// The batch's blobs written and synced together, before the
		// transaction below can commit rows naming them.
		sums, err := s.Store.WriteBlobs(contents)
		if err != nil {
			return nil, nil, storeError{err}
		}
		for i := range msgs { // a batch is over the limit whole, or not at all
			msgs[i].m.RawSHA256 = sums[i]
		}
	}
	uids := make([]uint32, len(msgs))
	for i := range msgs {
		uids[i] = msgs[i].m.UID
	}
	checkpoint := cur.checkpointWithAll(uids)
	dup := make([]bool, len(msgs))
	err := s.Store.UpdateBatch(ctx, func(tx *store.Tx) error {
		var fresh []*store.MailMessage
		var at []int
		for i := range msgs {
			m := &msgs[i].m
			dup[i] = false
			if cur.dedupe {
				_, d, err := tx.FindDuplicateMail(m.Mailbox, m.UIDValidity, m.MessageID, m.RawSHA256, m.RawSize, m.RawHeaders)
				if err != nil {
					return err
				}
				if dup[i] = d; d {
					continue
				}
			}
			fresh, at = append(fresh, m), append(at, i)
		}
		// The UNIQUE (mailbox, uidvalidity, uid) key refuses a message
		// stored already (a FETCH answered out of order held the
		// checkpoint back): a duplicate.
		d, err := tx.InsertIncomingMails(fresh)
		if err != nil {
			return err
		}
		for j, i := range at {
			dup[i] = d[j]
		}
		return tx.SaveMailCheckpoint(cfg.Mailbox, uv, checkpoint)
	})
	if err != nil {
		return nil, nil, storeError{err}
	}
	for _, uid := range uids {
		cur.markStored(uid)
	}
	var stored []storedMsg
	var dups []Result
	for i, sm := range msgs {
		if dup[i] {
			dups = append(dups, Result{UID: sm.m.UID, MessageID: sm.m.MessageID, Duplicate: true})
		} else {
			stored = append(stored, sm)
		}
	}
	return stored, dups, nil
}

// checkpointWithAll returns the checkpoint once uids are stored too.
func (c *cursor) checkpointWithAll(uids []uint32) uint32 {
	batch := make(map[uint32]bool, len(uids))
	for _, u := range uids {
		batch[u] = true
	}
	next := c.next
	for next < len(c.order) && (c.done[c.order[next]] || batch[c.order[next]]) {
		next++
	}
	if next == 0 {
		return c.since
	}
	return c.order[next-1]
}

// processBatch parses a batch of stored messages (several at once) and
// files them. It returns the results of the messages it processed, in
// order: all of them, or on error those before the one that failed.
func (in *Ingester) processBatch(ctx context.Context, msgs []storedMsg) ([]Result, error) {
	rds := make([]*reading, len(msgs))
	parallel(len(msgs), func(i int) error {
		rds[i] = in.understand(ctx, msgs[i].m, msgs[i].raw, true)
		return nil
	})
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	res, err := in.fileBatch(ctx, rds)
	if err == nil {
		for _, r := range res {
			in.log().Info("mail processed", "id", r.MailID, "state", r.State, "request", r.RequestID, "rule", r.Rule, "documents", r.Documents)
		}
		return res, nil
	}
	if ctx.Err() != nil {
		return nil, err
	}
	// The batch could not be filed as one (a message filed meanwhile, a
	// reply to one of the batch with documents, an error of one message):
	// each is filed on its own, as a message always was.
	res = res[:0]
	for _, rd := range rds {
		r, err := in.processReading(ctx, rd)
		if err != nil {
			return res, err
		}
		res = append(res, r)
	}
	return res, nil
}

// errRematch says a message with documents matches differently once the
// messages before it in its batch are filed: its attachments were written
// for the first match, so the batch is filed message by message instead.
var errRematch = errors.New("mailsync: a message matches differently after its batch")

// fileBatch files messages read by understand in one transaction (and,
// when some have documents, one before it to match those, so that their
// attachments are written outside any transaction and only for a message
// that is filed, as processReading does).
func (in *Ingester) fileBatch(ctx context.Context, rds []*reading) ([]Result, error) {
	n := len(rds)
	canMatch, prematch, matched := make([]bool, n), make([]bool, n), make([]bool, n)
	matches, files := make([]Match, n), make([][]fileBlob, n)
	anyPre := false
	for i, rd := range rds {
		canMatch[i] = rd.pm != nil && len(rd.pm.Header) > 0
		prematch[i] = canMatch[i] && rd.state == "" && hasDocuments(rd.pm)
		anyPre = anyPre || prematch[i]
	}
	if anyPre {
		err := in.Store.Update(ctx, func(tx *store.Tx) error {
			for i, rd := range rds {
				if prematch[i] {
					var err error
					if matches[i], matched[i], err = MatchReply(tx, rd.pm); err != nil {
						return err
					}
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		err = parallel(n, func(i int) error {
			var err error
			if prematch[i] && matched[i] {
				files[i], err = in.writeAttachments(rds[i])
			}
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	results := make([]Result, n)
	err := in.Store.UpdateBatch(ctx, func(tx *store.Tx) error {
		for i, rd := range rds {
			match, ok := matches[i], matched[i]
			if canMatch[i] {
				var err error
				if match, ok, err = MatchReply(tx, rd.pm); err != nil {
					return err
				}
				if prematch[i] && (ok != matched[i] || match.RequestID != matches[i].RequestID) {
					return errRematch
				}
				if prematch[i] {
					match = matches[i]
				}
			}
			results[i] = Result{MailID: rd.msg.ID, UID: rd.msg.UID, MessageID: rd.msg.MessageID}
			if err := in.file(tx, rd, rd.msg, match, ok, files[i], &results[i]); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return results, nil
}

// pipeline fetches, stores and processes the batches (see the top of this
// file). count is called with each message's result: reported for those
// stored or found duplicate, not for those left pending.
func (s *Syncer) pipeline(ctx context.Context, cfg Config, uv uint32, src Source, cur *cursor, bs []batch, count func(Result, bool)) error {
	pctx, stop := context.WithCancel(ctx)
	defer stop()
	fetched := make(chan fetchedBatch, 1)
	go fetchBatches(pctx, src, bs, fetched)

	// The processing stage. After an error it processes nothing more: what
	// it is handed is stored, and counted pending for the next pass.
	toProcess := make(chan []storedMsg, 1)
	var procErr error
	var procMu sync.Mutex
	procDone := make(chan struct{})
	go func() {
		defer close(procDone)
		for msgs := range toProcess {
			procMu.Lock()
			failed := procErr != nil
			procMu.Unlock()
			var res []Result
			var err error
			if !failed {
				res, err = s.Ingest.processBatch(ctx, msgs)
			}
			for _, r := range res {
				count(r, true)
			}
			for _, sm := range msgs[len(res):] {
				count(Result{MailID: sm.m.ID, UID: sm.m.UID, MessageID: sm.m.MessageID, pending: true}, false)
			}
			if err != nil && !failed {
				procMu.Lock()
				procErr = err
				procMu.Unlock()
				stop() // fetch and store no more
			}
		}
	}()

	var err error
	for fb := range fetched {
		if err = pctx.Err(); err != nil {
			break
		}
		stored, dups, serr := s.storeBatch(ctx, cfg, uv, cur, fb)
		if serr != nil {
			err = serr
			break
		}
		for _, d := range dups {
			count(d, true)
		}
		if len(stored) > 0 {
			toProcess <- stored
		}
		if fb.err != nil {
			err = connError{fmt.Errorf("mailsync: fetch failed: %w", fb.err)}
			break
		}
	}
	stop()
	for range fetched { // the fetcher has stopped once it closes the channel
	}
	close(toProcess)
	<-procDone

	if procErr != nil {
		return procErr // a store error: not retried
	}
	var se storeError
	if errors.As(err, &se) {
		return se.err
	}
	if err != nil && ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, context.Canceled) && ctx.Err() == nil {
		err = nil // stopped by the processing stage, which said why
	}
	return err
}
