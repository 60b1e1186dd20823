package main

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/foitrack/foitrack/store"
)

func init() {
	register(command{"backup", "write a consistent backup (database snapshot + stored files + manifest), also while serve runs", backupCmd})
	register(command{"restore", "restore a backup into a new data directory, then run audit verify", restoreCmd})
}

func backupCmd(env *Env, args []string) error {
	fs := newFlags(env, "backup", "FILE.tar.gz\n\nWrites a backup of the data directory: a snapshot of the database taken with SQLite's\nVACUUM INTO (safe while serve runs and writes), every stored file it names, and a\nmanifest.json with each file's sha256 and the audit head. Restore it with foitrack restore.\nDo not copy the data directory with cp while serve runs: the copy can be malformed.")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		if fs.NArg() > 1 {
			return usagef("unexpected argument %q", fs.Arg(1))
		}
		return usagef("give the file to write the backup to")
	}
	out := fs.Arg(0)
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	// A backup killed outright leaves its partial archive: removed here.
	store.RemoveLeftovers(filepath.Dir(out), store.BackupArchivePrefix)
	tmp, err := os.CreateTemp(filepath.Dir(out), store.LeftoverPattern(store.BackupArchivePrefix))
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	bar := newProgress(env, -1, "backup: files", *quiet)
	m, err := st.Backup(env.Ctx, tmp, bar.Set)
	bar.Finish()
	if err == nil {
		err = tmp.Sync()
	}
	if err == nil {
		err = env.Ctx.Err() // stopped by SIGINT or SIGTERM: no backup
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), out); err != nil {
		return err
	}
	var size int64
	var blobs int
	for _, f := range m.Files {
		size += f.Size
		if strings.HasPrefix(f.Path, "blobs/") {
			blobs++
		}
	}
	fmt.Fprintf(env.Stdout, "%s: database (schema %d) and %d stored files, %d bytes; audit head entry %d sha256 %s\n",
		out, m.SchemaVersion, blobs, size, m.AuditHead.ID, m.AuditHead.SHA256)
	return nil
}

func restoreCmd(env *Env, args []string) error {
	fs := newFlags(env, "restore", "FILE.tar.gz --data DIR\n\nUnpacks a backup made by foitrack backup into DIR, which must not exist or be empty (a\nrestore never overwrites data), checks every file against the manifest, then runs\nfoitrack audit verify on the result.")
	quiet := fs.Bool("quiet", false, "no progress bar")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		if fs.NArg() > 1 {
			return usagef("unexpected argument %q", fs.Arg(1))
		}
		return usagef("give the backup file to restore")
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	var in io.Reader = f
	var bar *progress
	if fi, err := f.Stat(); err == nil {
		bar = newProgress(env, int(fi.Size()), "restoring", *quiet)
		in = &progressReader{r: f, bar: bar}
	}
	m, err := store.Restore(env.Ctx, in, env.DataDir)
	bar.Finish()
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "restored %d files into %s (backup of %s, schema %d, audit head entry %d)\n",
		len(m.Files), env.DataDir, m.CreatedAt, m.SchemaVersion, m.AuditHead.ID)
	st, err := env.ExistingStore()
	if err != nil {
		return err
	}
	head, id, err := st.AuditHead(env.Ctx)
	if err != nil {
		return err
	}
	if head != m.AuditHead.SHA256 || id != m.AuditHead.ID {
		return fmt.Errorf("the restored audit head (entry %d, %s) is not the manifest's (entry %d, %s)", id, head, m.AuditHead.ID, m.AuditHead.SHA256)
	}
	return auditVerify(env, []string{"--quiet"})
}

// progressReader moves a bar of bytes on as it is read.
type progressReader struct {
	r    io.Reader
	bar  *progress
	done int
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.done += n
	p.bar.Set(p.done, 0)
	return n, err
}
