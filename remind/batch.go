package remind

import (
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

// BatchFields are the fields a batch's title and text can use, per authority.
type BatchFields struct {
	Authority, ShortName, Website, Email string
}

// BatchText renders a batch's title and text for each authority: the
// function store.CreateBatch calls. The templates are checked first, so a
// mistake is one clear error, not one per authority.
func BatchText(title, body string) (store.BatchRequestText, error) {
	tt, err := template.New("title").Option("missingkey=error").Parse(title)
	if err != nil {
		return nil, &tracker.Error{Code: tracker.EINVALID, Message: "title: " + err.Error(), Fields: map[string]string{"title": err.Error()}}
	}
	bt, err := template.New("body").Option("missingkey=error").Parse(body)
	if err != nil {
		return nil, &tracker.Error{Code: tracker.EINVALID, Message: "text: " + err.Error(), Fields: map[string]string{"body": err.Error()}}
	}
	render := func(t *template.Template, f BatchFields, field string) (string, error) {
		var b strings.Builder
		if err := t.Execute(&b, f); err != nil {
			return "", &tracker.Error{Code: tracker.EINVALID, Message: field + ": " + err.Error(), Fields: map[string]string{field: err.Error()}}
		}
		return b.String(), nil
	}
	sample := BatchFields{Authority: "Kent Police", ShortName: "Kent", Website: "https://www.kent.police.uk", Email: "foi@kent.police.uk"}
	if _, err := render(tt, sample, "title"); err != nil {
		return nil, err
	}
	if _, err := render(bt, sample, "body"); err != nil {
		return nil, err
	}
	return func(a tracker.Authority) (string, string, error) {
		f := BatchFields{Authority: a.Name, ShortName: a.ShortName, Website: a.Website, Email: a.Email}
		if f.ShortName == "" {
			f.ShortName = a.Name
		}
		t, err := render(tt, f, "title")
		if err != nil {
			return "", "", err
		}
		b, err := render(bt, f, "body")
		return strings.TrimSpace(t), strings.TrimSpace(b), err
	}, nil
}

// BatchRow is one request of a batch as the progress page and the CSV show it.
type BatchRow struct {
	store.BatchMember
	Deadlines tracker.Deadlines `json:"deadlines"`
	Standing  tracker.Standing  `json:"standing"`
	// FirstResponse is the day the first response came (zero: none yet).
	FirstResponse tracker.Date `json:"first_response"`
	// OnTime: "yes" or "no" once answered, "" before.
	OnTime     string   `json:"on_time"`
	Exemptions []string `json:"exemptions"`
}

// BatchProgress sums up a batch on a day.
type BatchProgress struct {
	Total          int `json:"total"`
	NotSent        int `json:"not_sent"`
	Sending        int `json:"sending"`
	Failed         int `json:"failed"`
	Sent           int `json:"sent"`
	Dropped        int `json:"dropped"`
	Answered       int `json:"answered"`
	AnsweredOnTime int `json:"answered_on_time"`
	AnsweredLate   int `json:"answered_late"`
	Overdue        int `json:"overdue"`
	LongOverdue    int `json:"long_overdue"`
	// Refused in whole or in part, or neither confirmed nor denied.
	Refused       int              `json:"refused"`
	UnderReview   int              `json:"under_review"`
	WithRegulator int              `json:"with_regulator"`
	Exemptions    []ExemptionCount `json:"exemptions"`
	Rows          []BatchRow       `json:"rows"`
}

// ExemptionCount is how many requests of a batch were refused citing a code.
type ExemptionCount struct {
	Code  string `json:"code"`
	Title string `json:"title"`
	Count int    `json:"count"`
}

// BatchReport works out the progress of a batch's requests on today.
func BatchReport(members []store.BatchMember, today tracker.Date) BatchProgress {
	p := BatchProgress{Total: len(members)}
	counts := map[string]int{}
	titles := map[string]string{}
	for _, m := range members {
		law, _ := tracker.LawByCode(m.Request.Law)
		ds := tracker.ComputeDeadlines(law, m.Events)
		row := BatchRow{BatchMember: m, Deadlines: ds, Standing: ds.Standing(today)}
		switch m.SendState {
		case store.MemberNotSent:
			p.NotSent++
		case store.MemberSending:
			p.Sending++
		case store.MemberFailed:
			p.Failed++
		case store.MemberSent:
			p.Sent++
		case store.MemberDropped:
			p.Dropped++
		}
		for _, e := range m.Events {
			if e.Kind == tracker.EventResponseReceived {
				row.FirstResponse = e.Date
				break
			}
		}
		if !row.FirstResponse.IsZero() {
			p.Answered++
			if due := ds.Current().Date; !due.IsZero() && !row.FirstResponse.After(due) {
				row.OnTime = "yes"
				p.AnsweredOnTime++
			} else {
				row.OnTime = "no"
				p.AnsweredLate++
			}
		}
		switch row.Standing.Code {
		case tracker.StandingOverdue:
			p.Overdue++
		case tracker.StandingLongOverdue:
			p.Overdue++
			p.LongOverdue++
		}
		switch m.Request.Status {
		case tracker.StatusReviewRequested:
			p.UnderReview++
		case tracker.StatusRegulatorComplaint:
			p.WithRegulator++
		}
		if refusedSomething(m.Events) {
			p.Refused++
		}
		for _, x := range citedExemptions(m.Request.Law, m.Events) {
			row.Exemptions = append(row.Exemptions, x.Code)
			key := string(m.Request.Law) + " " + x.Code
			counts[key]++
			titles[key] = x.Title
		}
		p.Rows = append(p.Rows, row)
	}
	for k, n := range counts {
		code := k[strings.IndexByte(k, ' ')+1:]
		p.Exemptions = append(p.Exemptions, ExemptionCount{Code: code, Title: titles[k], Count: n})
	}
	sort.Slice(p.Exemptions, func(i, j int) bool {
		if p.Exemptions[i].Count != p.Exemptions[j].Count {
			return p.Exemptions[i].Count > p.Exemptions[j].Count
		}
		return p.Exemptions[i].Code < p.Exemptions[j].Code
	})
	return p
}

// refusedSomething: any response withheld information.
func refusedSomething(events []tracker.Event) bool {
	for _, e := range events {
		if e.Kind == tracker.EventResponseReceived {
			switch e.Outcome {
			case tracker.OutcomeRefused, tracker.OutcomeReleasedInPart, tracker.OutcomeNCND:
				return true
			}
		}
	}
	return false
}

// BatchCSVHeader is the first row of the CSV export.
var BatchCSVHeader = []string{"position", "request_id", "authority", "our_ref", "their_ref", "law", "send_state", "send_error",
	"status", "sent_on", "due_date", "standing", "first_response", "on_time", "outcome", "exemptions", "review_requested", "review_due"}

// WriteBatchCSV writes one row per request of the batch.
func WriteBatchCSV(w io.Writer, p BatchProgress) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(BatchCSVHeader); err != nil {
		return err
	}
	for _, r := range p.Rows {
		req := r.Request
		reviewDue := ""
		if !r.Deadlines.ReviewRequested.IsZero() {
			reviewDue = r.Deadlines.CurrentReview().Date.String()
		}
		rec := []string{strconv.Itoa(r.Position), strconv.FormatInt(req.ID, 10), req.AuthorityName, req.OurRef, req.TheirRef,
			string(req.Law), r.SendState, r.SendError, string(req.Status), req.SentOn.String(), r.Deadlines.Current().Date.String(),
			string(r.Standing.Code), r.FirstResponse.String(), r.OnTime, req.Outcome, strings.Join(r.Exemptions, "; "),
			r.Deadlines.ReviewRequested.String(), reviewDue}
		for i, v := range rec {
			rec[i] = tracker.CSVSafe(v)
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// BatchSender sends a batch's requests one after another, waiting the
// batch's throttle between two, and stops at the first failure. It is
// resumable: requests already sent are skipped, a failed one is retried (the
// same message), the rest are sent.
type BatchSender struct {
	Sender     *outbound.Sender
	SenderName string
	// Sleep waits between two sends (default: a timer that ctx cancels).
	Sleep func(ctx context.Context, d time.Duration) error
	// Progress, when set, is told about each request handled.
	Progress func(m store.BatchMember, outcome string, err error)
}

// BatchSendResult lists what a run did: clearly, after a failure, what went
// out and what did not.
type BatchSendResult struct {
	Sent        []int64 // sent by this run
	AlreadySent []int64
	InFlight    []int64 // being handed to the server by another run: left alone
	Dropped     []int64 // withdrawn or closed before sending: skipped
	Failed      int64   // the request whose send failed (0: none)
	Error       string  // its error
	NotSent     []int64 // not tried because of the failure (or cancellation)
}

var runningBatches sync.Map // batch id -> struct{}: one sender per batch in this process

// Send sends (or resumes) a batch.
func (bs *BatchSender) Send(ctx context.Context, batchID int64) (BatchSendResult, error) {
	var res BatchSendResult
	if _, busy := runningBatches.LoadOrStore(batchID, struct{}{}); busy {
		return res, tracker.Errorf(tracker.ECONFLICT, "batch %d is being sent already", batchID)
	}
	defer runningBatches.Delete(batchID)
	st := bs.Sender.Store
	b, err := st.BatchByID(ctx, batchID)
	if err != nil {
		return res, err
	}
	members, err := st.BatchMembers(ctx, batchID)
	if err != nil {
		return res, err
	}
	if err := st.SetBatchState(ctx, batchID, store.BatchSending, ""); err != nil {
		return res, err
	}
	sleep := bs.Sleep
	if sleep == nil {
		sleep = sleepCtx
	}
	rec := context.WithoutCancel(ctx)
	tried := false
	interrupted := 0
	for i, m := range members {
		switch m.SendState {
		case store.MemberSent:
			res.AlreadySent = append(res.AlreadySent, m.Request.ID)
			continue
		case store.MemberDropped:
			res.Dropped = append(res.Dropped, m.Request.ID)
			continue
		case store.MemberSending:
			res.InFlight = append(res.InFlight, m.Request.ID)
			if m.Interrupted {
				interrupted++
			}
			continue
		}
		if tried && b.ThrottleSeconds > 0 {
			if err := sleep(ctx, time.Duration(b.ThrottleSeconds)*time.Second); err != nil {
				res.NotSent = append(res.NotSent, idsOf(members[i:])...)
				return res, err // still "sending": resumed later
			}
		}
		tried = true
		err := bs.sendOne(ctx, m)
		var conflict *tracker.Error
		if errors.As(err, &conflict) && conflict.Code == tracker.ECONFLICT {
			// Another run got to it first (its message is queued or being
			// retried): not ours to send.
			res.InFlight = append(res.InFlight, m.Request.ID)
			bs.progress(m, "in flight", nil)
			continue
		}
		if err != nil {
			var ee *outbound.EventError
			if errors.As(err, &ee) {
				// Sent; only the event failed, which the user is told about.
				res.Sent = append(res.Sent, m.Request.ID)
				bs.progress(m, "sent", err)
				continue
			}
			res.Failed, res.Error = m.Request.ID, err.Error()
			for _, rest := range members[i+1:] {
				if rest.SendState != store.MemberSent && rest.SendState != store.MemberDropped {
					res.NotSent = append(res.NotSent, rest.Request.ID)
				}
			}
			bs.progress(m, "failed", err)
			msg := fmt.Sprintf("%s: %s", m.Request.AuthorityName, tracker.ErrorMessage(err))
			var se *outbound.SendError
			if errors.As(err, &se) {
				msg = fmt.Sprintf("%s: %s", m.Request.AuthorityName, se.Error())
			}
			return res, st.SetBatchState(rec, batchID, store.BatchPaused, msg)
		}
		res.Sent = append(res.Sent, m.Request.ID)
		bs.progress(m, "sent", nil)
	}
	state, msg := store.BatchDone, ""
	switch {
	case interrupted > 0:
		// Never sent again on its own: it may have reached the authority.
		state, msg = store.BatchPaused, fmt.Sprintf("%d request(s) were interrupted while being sent; nobody knows whether the server "+
			"accepted them: mark each sent or send it again on its letters page, then resume", interrupted)
	case len(res.InFlight) > 0:
		state, msg = store.BatchPaused, fmt.Sprintf("%d request(s) were being sent by another run; resume to check them", len(res.InFlight))
	}
	return res, st.SetBatchState(rec, batchID, state, msg)
}

func (bs *BatchSender) sendOne(ctx context.Context, m store.BatchMember) error {
	if m.SendState == store.MemberFailed && m.OutgoingID != 0 {
		_, err := bs.Sender.Retry(ctx, m.OutgoingID)
		return err
	}
	d, err := DraftLetter(ctx, bs.Sender.Store, DraftInput{Kind: LetterRequest, RequestID: m.Request.ID, Today: bs.Sender.Today(),
		SenderName: bs.SenderName, ReplyAddress: bs.Sender.Config.ReplyAddress(m.Request.ReplyToken)})
	if err != nil {
		return err
	}
	_, err = bs.Sender.Send(ctx, outbound.Letter{RequestID: m.Request.ID, Purpose: outbound.PurposeRequest, Subject: d.Subject, Body: d.Body})
	return err
}

func (bs *BatchSender) progress(m store.BatchMember, outcome string, err error) {
	if bs.Progress != nil {
		bs.Progress(m, outcome, err)
	}
}

func idsOf(ms []store.BatchMember) []int64 {
	var out []int64
	for _, m := range ms {
		if m.SendState != store.MemberSent && m.SendState != store.MemberDropped {
			out = append(out, m.Request.ID)
		}
	}
	return out
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
