package dovecottest_test

import (
	"bytes"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/foitrack/foitrack/internal/dovecottest"
	"github.com/foitrack/foitrack/mailsync"
)

func reply(i int) []byte {
	return []byte(fmt.Sprintf("From: FOI Team <foi@council.example.gov.uk>\r\n"+
		"To: foi+k7d2q9@foitrack.example.org\r\n"+
		"Subject: Reply %d\r\n"+
		"Message-ID: <dovecottest-%d@council.example.gov.uk>\r\n"+
		"Date: Tue, 3 Mar 2026 10:14:58 +0000\r\n"+
		"\r\n"+
		"This is reply number %d.\r\n", i, i, i))
}

func dial(t *testing.T, s *dovecottest.Server) *mailsync.Conn {
	t.Helper()
	c, err := mailsync.Dial(mailsync.MailboxConfig{
		Host: s.Host(), Port: s.Port(), TLSMode: mailsync.TLSModePlain,
		Username: s.User(), Password: s.Password(),
	})
	if err != nil {
		t.Fatalf("%v\n%s", err, s.Log())
	}
	t.Cleanup(func() { c.Close() })
	return c
}

type msg struct {
	uid uint32
	raw []byte
}

func fetchAll(t *testing.T, c *mailsync.Conn, after uint32) []msg {
	t.Helper()
	var got []msg
	err := c.FetchSince(t.Context(), after, 2, func(uid uint32, raw []byte, date time.Time) error {
		if date.IsZero() {
			t.Errorf("UID %d has no internal date", uid)
		}
		got = append(got, msg{uid, raw})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

func uids(ms []msg) []uint32 {
	var u []uint32
	for _, m := range ms {
		u = append(u, m.uid)
	}
	return u
}

func TestDovecot(t *testing.T) {
	s := dovecottest.Start(t)

	var sent [][]byte
	for i := 1; i <= 3; i++ {
		raw := reply(i)
		uid, err := s.Deliver(raw)
		if err != nil {
			t.Fatal(err)
		}
		if uid != uint32(i) {
			t.Errorf("delivered message %d got UID %d", i, uid)
		}
		sent = append(sent, raw)
	}

	c := dial(t, s)
	validity, next, n, err := c.Select("INBOX")
	if err != nil {
		t.Fatal(err)
	}
	if n != 3 || next != 4 {
		t.Errorf("Select: %d messages, UIDNEXT %d; want 3, 4", n, next)
	}
	got := fetchAll(t, c, 0)
	if !slices.Equal(uids(got), []uint32{1, 2, 3}) {
		t.Fatalf("fetched UIDs %v, want 1, 2, 3", uids(got))
	}
	for i, m := range got {
		if !bytes.Equal(m.raw, sent[i]) {
			t.Errorf("UID %d: fetched %q, want %q", m.uid, m.raw, sent[i])
		}
	}
	if err := c.Move([]uint32{1}, "Processed"); err != nil {
		t.Fatal(err)
	}
	if err := c.Logout(); err != nil {
		t.Error(err)
	}

	// A restart keeps the mailbox, its UIDs and its UIDVALIDITY.
	s.Restart(t)
	c = dial(t, s)
	v, _, n, err := c.Select("INBOX")
	if err != nil {
		t.Fatal(err)
	}
	if v != validity || n != 2 {
		t.Errorf("after restart: UIDVALIDITY %d (was %d), %d messages (want 2)", v, validity, n)
	}
	if got := fetchAll(t, c, 0); !slices.Equal(uids(got), []uint32{2, 3}) {
		t.Errorf("after restart: UIDs %v, want 2, 3", uids(got))
	}
	if _, _, n, err := c.Select("Processed"); err != nil || n != 1 {
		t.Errorf("Processed: %d messages, %v; want the moved one", n, err)
	}
	c.Close()

	// A lost index: new UIDVALIDITY, messages numbered afresh, content kept.
	before, after := s.ChangeUIDValidity(t)
	if before != validity {
		t.Errorf("ChangeUIDValidity saw %d before, want %d", before, validity)
	}
	c = dial(t, s)
	v, _, _, err = c.Select("INBOX")
	if err != nil {
		t.Fatal(err)
	}
	if v != after || v == validity {
		t.Errorf("after ChangeUIDValidity: Select says UIDVALIDITY %d, want %d (not %d)", v, after, validity)
	}
	got = fetchAll(t, c, 0)
	if len(got) != 2 || !bytes.Equal(got[0].raw, sent[1]) || !bytes.Equal(got[1].raw, sent[2]) {
		t.Errorf("after ChangeUIDValidity: fetched %d messages %v", len(got), uids(got))
	}
}

// TestDovecotRestartMidFetch restarts Dovecot while FetchSince is handing
// messages over: the fetch fails, and a new connection resumes after the
// last checkpointed UID, so every message is seen exactly once.
func TestDovecotRestartMidFetch(t *testing.T) {
	s := dovecottest.Start(t)
	for i := 1; i <= 6; i++ {
		if _, err := s.Deliver(reply(i)); err != nil {
			t.Fatal(err)
		}
	}
	c := dial(t, s)
	if _, _, _, err := c.Select("INBOX"); err != nil {
		t.Fatal(err)
	}
	var seen []uint32
	err := c.FetchSince(t.Context(), 0, 2, func(uid uint32, _ []byte, _ time.Time) error {
		seen = append(seen, uid)
		if uid == 3 {
			s.Restart(t)
		}
		return nil
	})
	if err == nil {
		t.Fatal("FetchSince went on through a server restart")
	}
	checkpoint := seen[len(seen)-1]
	if checkpoint < 3 || checkpoint > 4 {
		t.Fatalf("handed over %v before failing; want up to UID 3 or 4 (the batch read before the restart)", seen)
	}
	c = dial(t, s)
	if _, _, _, err := c.Select("INBOX"); err != nil {
		t.Fatal(err)
	}
	seen = append(seen, uids(fetchAll(t, c, checkpoint))...)
	if !slices.Equal(seen, []uint32{1, 2, 3, 4, 5, 6}) {
		t.Errorf("UIDs seen over both connections: %v, want 1..6 once each", seen)
	}
}
