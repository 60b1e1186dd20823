package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/foitrack/foitrack/store"
)

func init() {
	register(command{"user add", "add a web app account (the first admin: --admin)", userAdd})
	register(command{"user list", "list web app accounts", userList})
	register(command{"user password", "set an account's password (signs it out everywhere)", userPassword})
}

// A password never comes from a flag's value (it would sit in the shell
// history and in ps): it is read from --password-file (- for standard
// input), else asked for on the terminal without echo, else read as the
// first line of standard input.

func userAdd(env *Env, args []string) error {
	fs := newFlags(env, "user add", "--email EMAIL [--name NAME] [--admin | --role ROLE] [--password-file FILE|-]\n\nThe password is read from --password-file, else asked for on the terminal, else read from standard input.")
	var u store.User
	var role, pwFile string
	admin := fs.Bool("admin", false, "make the account an admin (same as --role admin)")
	fs.StringVar(&u.Email, "email", "", "email address, used to sign in (required)")
	fs.StringVar(&u.Name, "name", "", "the person's name")
	fs.StringVar(&role, "role", "editor", "admin, editor or viewer")
	fs.StringVar(&pwFile, "password-file", "", "read the password from this file (- for standard input)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if u.Email == "" {
		return usagef("--email is required")
	}
	u.Role = store.Role(role)
	if *admin {
		u.Role = store.RoleAdmin
	}
	if !u.Role.Valid() {
		return usagef("--role must be admin, editor or viewer")
	}
	pw, err := readPassword(env, pwFile, true)
	if err != nil {
		return err
	}
	st, err := env.Store()
	if err != nil {
		return err
	}
	if err := st.CreateUser(env.Ctx, &u, pw); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "account %d: %s (%s)\n", u.ID, u.Email, u.Role)
	return nil
}

func userList(env *Env, args []string) error {
	fs := newFlags(env, "user list", "[--json]")
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
	users, err := st.Users(env.Ctx)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(env, users)
	}
	tw := tabwriter.NewWriter(env.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tEMAIL\tNAME\tROLE\tDISABLED\tLAST SIGN-IN")
	for _, u := range users {
		last := "never"
		if !u.LastLoginAt.IsZero() {
			last = u.LastLoginAt.Local().Format("2006-01-02 15:04")
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%v\t%s\n", u.ID, u.Email, u.Name, u.Role, u.Disabled, last)
	}
	return tw.Flush()
}

func userPassword(env *Env, args []string) error {
	fs := newFlags(env, "user password", "--email EMAIL [--password-file FILE|-]")
	email := fs.String("email", "", "the account (required)")
	pwFile := fs.String("password-file", "", "read the password from this file (- for standard input)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if err := noArgs(fs); err != nil {
		return err
	}
	if *email == "" {
		return usagef("--email is required")
	}
	st, err := env.Store()
	if err != nil {
		return err
	}
	u, err := st.UserByEmail(env.Ctx, *email)
	if err != nil {
		return err
	}
	pw, err := readPassword(env, *pwFile, true)
	if err != nil {
		return err
	}
	if err := st.SetPassword(env.Ctx, u.ID, pw, ""); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "password of %s changed; its sessions are signed out\n", u.Email)
	return nil
}

// readPassword gets a password as the comment above says. confirm asks
// twice on a terminal.
func readPassword(env *Env, file string, confirm bool) (string, error) {
	switch {
	case file == "-":
		return firstLine(env.Stdin)
	case file != "":
		f, err := os.Open(file)
		if err != nil {
			return "", err
		}
		defer f.Close()
		return firstLine(f)
	}
	if in, ok := env.Stdin.(*os.File); ok && isTerminal(in) {
		pw, err := promptNoEcho(in, env.Stderr, "Password: ")
		if err != nil {
			return "", err
		}
		if confirm {
			again, err := promptNoEcho(in, env.Stderr, "Password again: ")
			if err != nil {
				return "", err
			}
			if again != pw {
				return "", errors.New("the two passwords differ")
			}
		}
		return pw, nil
	}
	return firstLine(env.Stdin)
}

// firstLine reads one line, without its line ending.
func firstLine(r io.Reader) (string, error) {
	line, err := bufio.NewReader(r).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password given (use --password-file FILE, or type it when asked)")
	}
	return line, nil
}
