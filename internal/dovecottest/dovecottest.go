// Package dovecottest runs a real Dovecot IMAP server (Debian
// dovecot-imapd) for integration tests: on 127.0.0.1 and a free port, with
// its own configuration, users file and Maildir in a temporary folder, as a
// child of the test process. A missing Dovecot skips the test locally and
// fails it under CI=true (see internal/testenv).
//
// The configuration follows ../shared/examples/dovecot/dovecot.conf. Run as
// root (as in the development sandbox), Dovecot's login and internal
// processes use the dovenull and dovecot users of the Debian package and mail
// is owned by nobody, because Dovecot refuses mail access as root; run as
// anyone else, everything runs as that user.
package dovecottest

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/foitrack/foitrack/internal/testenv"
)

const (
	installHint = "apt-get install -y dovecot-imapd"
	// Generous: on a loaded CI machine (two cores, packages under -race in
	// parallel) Dovecot's processes wait their turn too, and a test that
	// gives up on a server still starting or stopping fails for nothing.
	startTimeout = 2 * time.Minute
	stopTimeout  = time.Minute
)

// Server is a running Dovecot. Its methods that take a testing.TB fail the
// test on error; the others return errors, so they can run in goroutines.
type Server struct {
	bin      string
	dir      string // holds dovecot.conf, users, run/, state/, home/
	conf     string
	port     int
	user     string
	password string
	mailUID  int
	mailGID  int

	mu      sync.Mutex
	cmd     *exec.Cmd
	exited  chan struct{} // closed when cmd has exited
	deliver *imapclient.Client
}

// Start starts a Dovecot with one user and an empty INBOX, and stops it when
// the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := testenv.LookPath(t, installHint, "dovecot", "/usr/sbin/dovecot")

	// Not t.TempDir: its parent folders are private to the test process,
	// and Dovecot's unprivileged processes must reach the mail folder.
	dir, err := os.MkdirTemp("", "dovecottest-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}

	s := &Server{bin: bin, dir: dir, conf: filepath.Join(dir, "dovecot.conf"), user: "foi", password: randomHex(12)}
	loginUser, internalUser, internalGroup, err := s.chooseUsers()
	if err != nil {
		t.Fatal(err)
	}
	port, err := freePort()
	if err != nil {
		t.Fatal(err)
	}
	s.port = port
	if err := s.writeConfig(loginUser, internalUser, internalGroup); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.stop(); err != nil {
			t.Errorf("dovecottest: %v", err)
		}
	})
	if err := s.start(); err != nil {
		t.Fatalf("dovecottest: %v\n%s", err, s.Log())
	}
	return s
}

// chooseUsers picks the system users Dovecot runs as.
func (s *Server) chooseUsers() (loginUser, internalUser, internalGroup string, err error) {
	cur, err := user.Current()
	if err != nil {
		return "", "", "", fmt.Errorf("dovecottest: unable to find the current user: %w", err)
	}
	if os.Geteuid() != 0 {
		grp, err := user.LookupGroupId(cur.Gid)
		if err != nil {
			return "", "", "", fmt.Errorf("dovecottest: unable to find group %s: %w", cur.Gid, err)
		}
		s.mailUID, s.mailGID = os.Getuid(), os.Getgid()
		return cur.Username, cur.Username, grp.Name, nil
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		return "", "", "", fmt.Errorf("dovecottest: running as root needs the user nobody to own the mail: %w", err)
	}
	s.mailUID, _ = strconv.Atoi(nobody.Uid)
	s.mailGID, _ = strconv.Atoi(nobody.Gid)
	loginUser, internalUser, internalGroup = "nobody", "nobody", ""
	if _, err := user.Lookup("dovenull"); err == nil {
		loginUser = "dovenull"
	}
	if u, err := user.Lookup("dovecot"); err == nil {
		internalUser = "dovecot"
		if g, err := user.LookupGroupId(u.Gid); err == nil {
			internalGroup = g.Name
		}
	}
	if internalGroup == "" {
		g, err := user.LookupGroupId(nobody.Gid)
		if err != nil {
			return "", "", "", fmt.Errorf("dovecottest: unable to find the group of nobody: %w", err)
		}
		internalGroup = g.Name
	}
	return loginUser, internalUser, internalGroup, nil
}

const configTemplate = `# Written by internal/dovecottest for one test run.
protocols = imap
listen = 127.0.0.1
base_dir = {{dir}}/run
instance_name = dovecottest-{{port}}
state_dir = {{dir}}/state
default_login_user = {{login_user}}
default_internal_user = {{internal_user}}
default_internal_group = {{internal_group}}
first_valid_uid = {{uid}}
first_valid_gid = {{gid}}
log_path = {{dir}}/dovecot.log
info_log_path = {{dir}}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
mail_fsync = never

passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {{dir}}/users
}
userdb {
  driver = passwd-file
  args = username_format=%u {{dir}}/users
}

mail_location = maildir:~/Maildir
namespace inbox {
  inbox = yes
  separator = /
}

protocol imap {
  mail_max_userip_connections = 100
}

service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = {{port}}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
service stats {
  unix_listener stats-reader {
    mode = 0600
  }
  unix_listener stats-writer {
    mode = 0600
  }
}
`

func (s *Server) writeConfig(loginUser, internalUser, internalGroup string) error {
	conf := strings.NewReplacer(
		"{{dir}}", s.dir,
		"{{port}}", strconv.Itoa(s.port),
		"{{login_user}}", loginUser,
		"{{internal_user}}", internalUser,
		"{{internal_group}}", internalGroup,
		"{{uid}}", strconv.Itoa(max(s.mailUID, 1)),
		"{{gid}}", strconv.Itoa(max(s.mailGID, 1)),
	).Replace(configTemplate)
	home := s.home()
	for _, d := range []string{filepath.Join(s.dir, "run"), filepath.Join(s.dir, "state"), filepath.Dir(home), home} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}
	if err := os.Chown(home, s.mailUID, s.mailGID); err != nil {
		return fmt.Errorf("dovecottest: unable to hand the mail folder to uid %d: %w", s.mailUID, err)
	}
	users := fmt.Sprintf("%s:{PLAIN}%s:%d:%d::%s::\n", s.user, s.password, s.mailUID, s.mailGID, home)
	if err := os.WriteFile(filepath.Join(s.dir, "users"), []byte(users), 0o644); err != nil {
		return err
	}
	return os.WriteFile(s.conf, []byte(conf), 0o644)
}

func (s *Server) home() string { return filepath.Join(s.dir, "home", s.user) }

// maildir is the folder of INBOX (the Maildir root).
func (s *Server) maildir() string { return filepath.Join(s.home(), "Maildir") }

func (s *Server) pidFile() string { return filepath.Join(s.dir, "run", "master.pid") }

// start runs dovecot in the foreground and waits until it greets on its
// port.
func (s *Server) start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	out, err := os.OpenFile(filepath.Join(s.dir, "dovecot.stdout"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	cmd := exec.Command(s.bin, "-F", "-c", s.conf)
	cmd.Stdout, cmd.Stderr = out, out
	// Its own process group, so that stop reaches the IMAP session
	// processes too: on SIGTERM Dovecot's master leaves established
	// sessions running, and a restart would not drop any connection.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		out.Close()
		return fmt.Errorf("unable to start %s: %w", s.bin, err)
	}
	exited := make(chan struct{})
	go func() {
		cmd.Wait()
		out.Close()
		close(exited)
	}()
	s.cmd, s.exited = cmd, exited

	deadline := time.Now().Add(startTimeout)
	for {
		select {
		case <-exited:
			return fmt.Errorf("dovecot exited while starting (%v)", cmd.ProcessState)
		default:
		}
		if greeted(s.Addr()) {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("dovecot did not greet on %s within %v", s.Addr(), startTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// greeted reports whether an IMAP server answers on addr with its "* OK"
// greeting, which Dovecot sends once its login process is up.
func greeted(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	defer conn.Close()
	conn.SetDeadline(time.Now().Add(2 * time.Second))
	line, err := bufio.NewReader(conn).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "* OK")
}

// stop stops dovecot and every process it started (SIGTERM to the process
// group: clients are disconnected, as by a server restart or crash), waits
// until the master has exited and removed master.pid, and until the port can
// be bound again.
func (s *Server) stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deliver != nil {
		s.deliver.Close()
		s.deliver = nil
	}
	if s.cmd == nil {
		return nil
	}
	cmd, exited := s.cmd, s.exited
	s.cmd, s.exited = nil, nil
	pgid := cmd.Process.Pid
	syscall.Kill(-pgid, syscall.SIGTERM)
	select {
	case <-exited:
	case <-time.After(stopTimeout):
		syscall.Kill(-pgid, syscall.SIGKILL)
		<-exited
		return fmt.Errorf("dovecot did not stop within %v of SIGTERM; killed", stopTimeout)
	}
	deadline := time.Now().Add(stopTimeout)
	for {
		_, err := os.Stat(s.pidFile())
		if errors.Is(err, os.ErrNotExist) && portFree(s.Addr()) {
			return nil
		}
		if time.Now().After(deadline) {
			// A straggler holds the listening socket: no mercy.
			syscall.Kill(-pgid, syscall.SIGKILL)
			return fmt.Errorf("dovecot left master.pid or its port behind %v after it exited", stopTimeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// portFree reports whether addr can be listened on (no process of the old
// Dovecot still holds it).
func portFree(addr string) bool {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	ln.Close()
	return true
}

// Stop stops the server (it can be started again with Restart).
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if err := s.stop(); err != nil {
		t.Fatalf("dovecottest: %v\n%s", err, s.Log())
	}
}

// Restart stops the server if it runs and starts it again, on the same
// port, with the same users and mail.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	s.Stop(t)
	if err := s.start(); err != nil {
		t.Fatalf("dovecottest: restart: %v\n%s", err, s.Log())
	}
}

// ChangeUIDValidity makes INBOX get a new UIDVALIDITY, as when a mail
// server's index is lost or rebuilt: it stops the server, deletes INBOX's
// dovecot-uidlist and index files (the messages stay), and starts it again.
// Dovecot then numbers the messages afresh under a new UIDVALIDITY. It
// checks that the UIDVALIDITY really changed and returns both values.
func (s *Server) ChangeUIDValidity(t testing.TB) (before, after uint32) {
	t.Helper()
	before, _, _ = s.Status(t)
	s.Stop(t)
	entries, err := os.ReadDir(s.maildir())
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if n := e.Name(); n == "dovecot-uidlist" || strings.HasPrefix(n, "dovecot.index") {
			if err := os.Remove(filepath.Join(s.maildir(), n)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := s.start(); err != nil {
		t.Fatalf("dovecottest: restart: %v\n%s", err, s.Log())
	}
	after, _, _ = s.Status(t)
	if after == before {
		t.Fatalf("dovecottest: UIDVALIDITY of INBOX is still %d after its index was deleted", after)
	}
	return before, after
}

// Host is the address Dovecot listens on.
func (s *Server) Host() string { return "127.0.0.1" }

// Port is the IMAP port (plain text: use the "plain" TLS mode).
func (s *Server) Port() int { return s.port }

// Addr is Host:Port.
func (s *Server) Addr() string { return net.JoinHostPort(s.Host(), strconv.Itoa(s.port)) }

// User is the name of the mail user.
func (s *Server) User() string { return s.user }

// Password is the mail user's password (random for each server).
func (s *Server) Password() string { return s.password }

// Log returns Dovecot's log, for test failure messages.
func (s *Server) Log() string {
	var b bytes.Buffer
	for _, f := range []string{"dovecot.log", "dovecot.stdout"} {
		if data, err := os.ReadFile(filepath.Join(s.dir, f)); err == nil {
			b.Write(data)
		}
	}
	return b.String()
}

// login opens an IMAP session as the mail user.
func (s *Server) login() (*imapclient.Client, error) {
	c, err := imapclient.DialInsecure(s.Addr(), nil)
	if err != nil {
		return nil, fmt.Errorf("dovecottest: unable to connect to %s: %w", s.Addr(), err)
	}
	if err := c.Login(s.user, s.password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("dovecottest: unable to log in to %s: %w", s.Addr(), err)
	}
	return c, nil
}

// Deliver appends raw to INBOX, as mail arriving, and returns its UID. It is
// safe for concurrent use and reuses one connection between calls.
func (s *Server) Deliver(raw []byte) (uint32, error) {
	return s.DeliverTo("INBOX", raw)
}

// DeliverTo appends raw to mailbox, creating the mailbox if needed.
func (s *Server) DeliverTo(mailbox string, raw []byte) (uint32, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.deliver == nil {
		c, err := s.login()
		if err != nil {
			return 0, err
		}
		s.deliver = c
	}
	appendOnce := func() (*imap.AppendData, error) {
		cmd := s.deliver.Append(mailbox, int64(len(raw)), nil)
		if _, err := cmd.Write(raw); err != nil {
			cmd.Close()
			return nil, err
		}
		if err := cmd.Close(); err != nil {
			return nil, err
		}
		return cmd.Wait()
	}
	data, err := appendOnce()
	var imapErr *imap.Error
	if errors.As(err, &imapErr) && imapErr.Code == imap.ResponseCodeTryCreate {
		if cerr := s.deliver.Create(mailbox, nil).Wait(); cerr != nil {
			return 0, fmt.Errorf("dovecottest: unable to create %q: %w", mailbox, cerr)
		}
		data, err = appendOnce()
	}
	if err != nil {
		// The connection may be broken: open a new one next time.
		s.deliver.Close()
		s.deliver = nil
		return 0, fmt.Errorf("dovecottest: unable to append to %q: %w", mailbox, err)
	}
	return uint32(data.UID), nil
}

// Status returns INBOX's UIDVALIDITY, UIDNEXT and message count.
func (s *Server) Status(t testing.TB) (uidValidity, uidNext, messages uint32) {
	t.Helper()
	c, err := s.login()
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	data, err := c.Status("INBOX", &imap.StatusOptions{UIDValidity: true, UIDNext: true, NumMessages: true}).Wait()
	if err != nil {
		t.Fatalf("dovecottest: STATUS INBOX: %v", err)
	}
	c.Logout().Wait()
	return data.UIDValidity, uint32(data.UIDNext), derefUint32(data.NumMessages)
}

func derefUint32(p *uint32) uint32 {
	if p == nil {
		return 0
	}
	return *p
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
