package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/foitrack/foitrack/outbound"
	"github.com/foitrack/foitrack/remind"
	"github.com/foitrack/foitrack/store"
	"github.com/foitrack/foitrack/tracker"
)

func init() {
	register(command{"batch list", "list batches (one request to many authorities)", batchList})
	register(command{"batch create", "create a batch: one draft request per authority", batchCreate})
	register(command{"batch show", "show a batch's progress: sent, answered on time, overdue, refused, under review", batchShow})
	register(command{"batch send", "send (or resume sending) a batch, throttled; stops at the first failure", batchSend})
	register(command{"batch export", "write a batch's progress as CSV to standard output", batchExport})
}

func batchList(env *Env, args []string) error {
	fs := newFlags(env, "batch list", "[--json]")
	asJSON := fs.Bool("json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	list, err := st.Batches(env.Ctx, "")
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env, list)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tTITLE\tREQUESTS\tSTATE\tLAST ERROR")
	for _, b := range list {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%s\n", b.ID, clip(b.Title, 40), b.Size, b.State, clip(b.LastError, 50))
	}
	return tw.Flush()
}

func batchCreate(env *Env, args []string) error {
	fs := newFlags(env, "batch create", "--title TITLE (--text TEXT | --text-file FILE) --authorities ID,ID,… [--tags T,T] [--throttle SECONDS]\n\n"+
		"The title and text may use {{.Authority}}, {{.ShortName}}, {{.Website}} and {{.Email}}.")
	title := fs.String("title", "", "title of each request (required)")
	text := fs.String("text", "", "what to ask")
	textFile := fs.String("text-file", "", "read what to ask from a file")
	auths := fs.String("authorities", "", "comma-separated authority IDs (required)")
	tags := fs.String("tags", "", "comma-separated tags")
	throttle := fs.Int("throttle", 30, "seconds between two emails when sending")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(*title) == "":
		return usagef("--title is required")
	case *text == "" && *textFile == "":
		return usagef("give --text or --text-file")
	case strings.Trim(*auths, ", ") == "":
		return usagef("--authorities is required")
	}
	if *textFile != "" {
		b, err := os.ReadFile(*textFile)
		if err != nil {
			return err
		}
		*text = string(b)
	}
	var ids []int64
	for _, s := range strings.Split(*auths, ",") {
		if s = strings.TrimSpace(s); s == "" {
			continue
		}
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return usagef("--authorities: %q is not an ID", s)
		}
		ids = append(ids, id)
	}
	st, err := env.Store()
	if err != nil {
		return err
	}
	render, err := remind.BatchText(*title, *text)
	if err != nil {
		return err
	}
	b := store.Batch{Title: *title, Body: *text, Tags: []string{*tags}, ThrottleSeconds: *throttle}
	if err := st.CreateBatch(env.Ctx, &b, ids, 0, render); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "batch %d: %d draft requests (see: foitrack batch show %d)\n", b.ID, b.Size, b.ID)
	return nil
}

func batchShow(env *Env, args []string) error {
	fs := newFlags(env, "batch show", "ID [--json] [--today YYYY-MM-DD]")
	asJSON := fs.Bool("json", false, "print JSON")
	todayFlag := fs.String("today", "", "pretend today is this date")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id, err := idArg(fs, "batch")
	if err != nil {
		return err
	}
	today := tracker.Today(nil)
	if *todayFlag != "" {
		if today, err = tracker.ParseDate(*todayFlag); err != nil {
			return usagef("--today: %v", err)
		}
	}
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	b, err := st.BatchByID(env.Ctx, id)
	if err != nil {
		return err
	}
	members, err := st.BatchMembers(env.Ctx, id)
	if err != nil {
		return err
	}
	p := remind.BatchReport(members, today)
	if *asJSON {
		return writeJSON(env, map[string]any{"batch": b, "progress": p})
	}
	fmt.Fprintf(env.Stdout, "Batch %d: %s (%s)\n", b.ID, b.Title, b.State)
	if b.LastError != "" {
		fmt.Fprintf(env.Stdout, "Stopped: %s\n", b.LastError)
	}
	fmt.Fprintf(env.Stdout, "%d requests: %d sent, %d not sent, %d failed; %d answered (%d on time, %d late); %d overdue; %d refused; %d under review\n",
		p.Total, p.Sent, p.NotSent, p.Failed, p.Answered, p.AnsweredOnTime, p.AnsweredLate, p.Overdue, p.Refused, p.UnderReview)
	if len(p.Exemptions) > 0 {
		var parts []string
		for _, e := range p.Exemptions {
			parts = append(parts, fmt.Sprintf("%s ×%d", e.Code, e.Count))
		}
		fmt.Fprintf(env.Stdout, "Exemptions cited: %s\n", strings.Join(parts, ", "))
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "\n#\tREQUEST\tAUTHORITY\tSENDING\tSTATUS\tDUE\tSTANDING")
	for _, r := range p.Rows {
		send := r.SendState
		if r.SendError != "" {
			send += ": " + clip(r.SendError, 40)
		}
		fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\n", r.Position, r.Request.ID, clip(r.Request.AuthorityName, 30), send,
			r.Request.Status.Label(), r.Deadlines.Current().Date, r.Standing.Code)
	}
	return tw.Flush()
}

func batchSend(env *Env, args []string) error {
	fs := newFlags(env, "batch send", "ID\n\nSends each request not sent yet, waiting the batch's throttle between two, and stops\nat the first failure with the list of what was sent and what was not; run it again to resume.")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id, err := idArg(fs, "batch")
	if err != nil {
		return err
	}
	st, err := env.Store()
	if err != nil {
		return err
	}
	cfg, err := outbound.LoadConfig(env.Ctx, st, nil)
	if err != nil {
		return err
	}
	bs := &remind.BatchSender{
		Sender:     &outbound.Sender{Store: st, Mailer: &outbound.SMTPMailer{Config: cfg}, Config: cfg, Now: time.Now},
		SenderName: cfg.FromName,
		Progress: func(m store.BatchMember, outcome string, err error) {
			line := fmt.Sprintf("%d %s: %s", m.Request.ID, m.Request.AuthorityName, outcome)
			if err != nil {
				line += " — " + userMessage(err)
			}
			fmt.Fprintln(env.Stderr, line)
		},
	}
	res, err := bs.Send(env.Ctx, id)
	fmt.Fprintf(env.Stdout, "sent now: %s\nsent before: %s\n", idList(res.Sent), idList(res.AlreadySent))
	if len(res.InFlight) > 0 {
		fmt.Fprintf(env.Stdout, "being sent elsewhere: %s\n", idList(res.InFlight))
	}
	if res.Failed != 0 {
		fmt.Fprintf(env.Stdout, "FAILED: %d — %s\nnot sent: %s\n", res.Failed, res.Error, idList(append([]int64{res.Failed}, res.NotSent...)))
		if err == nil {
			err = fmt.Errorf("batch %d stopped at request %d; run foitrack batch send %d again to resume", id, res.Failed, id)
		}
	}
	return err
}

func batchExport(env *Env, args []string) error {
	fs := newFlags(env, "batch export", "ID > batch.csv")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	id, err := idArg(fs, "batch")
	if err != nil {
		return err
	}
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	members, err := st.BatchMembers(env.Ctx, id)
	if err != nil {
		return err
	}
	if len(members) == 0 {
		if _, err := st.BatchByID(env.Ctx, id); err != nil {
			return err
		}
	}
	return remind.WriteBatchCSV(env.Stdout, remind.BatchReport(members, tracker.Today(nil)))
}

func idList(ids []int64) string {
	if len(ids) == 0 {
		return "none"
	}
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ", ")
}
