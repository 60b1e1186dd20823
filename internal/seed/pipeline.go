package seed

import (
	"context"
	"fmt"
	"time"

	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// The requests and the holding pen are made by a producer goroutine and
// written by the caller's, the writer (two cores): the producer draws every
// random choice, in the order one goroutine drew them before, and builds the
// raw messages and files, their sha256s and the rows as plain values; the
// writer only applies them through the store's Tx methods. Ids the content
// depends on (a request's, quoted in its mail and file names) are the ones
// the store will give, which the writer checks; ids only rows depend on (a
// message's, named by its event and documents; those the timeline links to)
// are read by the writer as it writes.

// batchesAhead is how many transactions the producer may have made before
// the writer has taken them: enough to keep both busy, few enough that
// memory stays modest (a transaction's raw mail is a few MB).
const batchesAhead = 2

// batch is one transaction's content.
type batch struct {
	clock  time.Time
	writes []write
	// first is the number of the batch's first request (1-based); done,
	// the requests written once it is (0: the holding pen's).
	first, done int
	// written, per change only: told once the batch's files are written.
	written chan error
	err     error // the producer failed making the batch: write nothing
}

func (b *batch) add(w write) { b.writes = append(b.writes, w) }

type writeKind uint8

const (
	writeRequest  writeKind = iota // CreateRequest, SetRequestOwner
	writeEvent                     // AddEvent
	writeMail                      // InsertProcessedMail
	writeDocument                  // AddDocument
	writeWithheld                  // the timeline may link to request id
)

// write is one row (or a request's two) for the writer.
type write struct {
	kind    writeKind
	request *tracker.Request
	sentOn  tracker.Date
	status  tracker.Status // what the request's history leads to (counted)
	owner   int64
	// id and ourRef: what the request will be given (writeRequest), or
	// the request the timeline may link to (writeWithheld).
	id     int64
	ourRef string
	event  *tracker.Event
	mail   *store.MailMessage
	proc   store.MailProcessing
	doc    *tracker.Document
	// ofMessage: the event or document names the message written last.
	ofMessage bool
	// keep: the timeline may link to the message or document.
	keep bool
}

// pipeline makes and writes the requests' transactions, then the holding
// pen's. It returns once the producer has stopped, on error too.
func (g *gen) pipeline(ctx context.Context) error {
	batches := make(chan *batch, batchesAhead)
	stop := make(chan struct{})
	stopped := make(chan struct{})
	g.made, g.nextRequest = g.clock, 1 // an empty table's first rowid
	go func() {
		defer close(stopped)
		g.produce(stop, batches)
	}()
	defer func() {
		close(stop)
		<-stopped
	}()
	for b := range batches {
		err := b.err
		if err == nil {
			g.clock = b.clock
			err = g.update(ctx, b.written, func(tx *store.Tx) error {
				for i := range b.writes {
					if err := g.apply(tx, &b.writes[i]); err != nil {
						return err
					}
				}
				return nil
			})
		}
		if err != nil && b.done == 0 {
			return fmt.Errorf("seed: holding pen: %w", err)
		} else if err != nil {
			return fmt.Errorf("seed: request %d: %w", b.first, err)
		}
		if b.done > 0 && g.o.Progress != nil {
			g.o.Progress(b.done, g.o.Requests)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := g.blobsFailed.Load(); err != nil {
			return fmt.Errorf("seed: %w", *err)
		}
	}
	return nil
}

// produce makes the transactions in order and sends them on out, which it
// closes when done or once stop is closed.
func (g *gen) produce(stop <-chan struct{}, out chan<- *batch) {
	defer close(out)
	send := func(b *batch) bool {
		if g.o.perChange {
			b.written = g.blobMarker()
		}
		select {
		case out <- b:
			return b.err == nil
		case <-stop:
			return false
		}
	}
	perTx := requestsPerTx
	if g.o.perTx > 0 {
		perTx = g.o.perTx
	}
	for done := 0; done < g.o.Requests; {
		n := min(perTx, g.o.Requests-done)
		b := g.newBatch()
		b.first = done + 1
		for i := 0; i < n && b.err == nil; i++ {
			b.err = g.request(b, done+i)
		}
		done += n
		b.done = done
		if !send(b) {
			return
		}
	}
	n := max(3, g.o.Messages*3/100)
	for start := 0; start < n; start += 1000 {
		b := g.newBatch()
		for i := start; i < min(start+1000, n); i++ {
			g.unmatched(b, i)
		}
		if !send(b) {
			return
		}
	}
}

// newBatch starts the next transaction, a second after the last: each has
// its own timestamp, as it would in use.
func (g *gen) newBatch() *batch {
	g.made = g.made.Add(time.Second)
	return &batch{clock: g.made}
}

// apply writes w in tx.
func (g *gen) apply(tx *store.Tx, w *write) error {
	switch w.kind {
	case writeRequest:
		r := w.request
		if err := tx.CreateRequest(r, w.sentOn); err != nil {
			return err
		}
		if r.ID != w.id || r.OurRef != w.ourRef {
			return fmt.Errorf("request stored as %d (%s) where its mail was made for %d (%s)", r.ID, r.OurRef, w.id, w.ourRef)
		}
		if err := tx.SetRequestOwner(r.ID, w.owner); err != nil {
			return err
		}
		g.sum.Requests++
		if !w.sentOn.IsZero() {
			g.sum.Events++
		}
		g.sum.ByStatus[string(w.status)]++
	case writeEvent:
		if w.ofMessage {
			w.event.MessageID = g.lastMessage
		}
		if err := tx.AddEvent(w.event); err != nil {
			return fmt.Errorf("%s on %s: %w", w.event.Kind, w.event.Date, err)
		}
		g.sum.Events++
	case writeMail:
		if err := g.insertMail(tx, w.mail, w.proc); err != nil {
			return err
		}
		g.lastMessage = w.mail.ID
		g.sum.Messages++
		if w.keep {
			g.replies = append(g.replies, w.mail.ID)
		}
	case writeDocument:
		if w.ofMessage {
			w.doc.MessageID = g.lastMessage
		}
		if err := tx.AddDocument(w.doc); err != nil {
			return err
		}
		g.sum.Documents++
		if w.keep {
			g.released = append(g.released, w.doc.ID)
		}
	case writeWithheld:
		g.withheld = append(g.withheld, w.id)
	}
	return nil
}
