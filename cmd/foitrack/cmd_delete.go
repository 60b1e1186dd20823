package main

import (
	"fmt"

	"github.com/foitrack/foitrack/store"
)

func init() {
	register(command{"document delete", "delete a document attached by mistake (with its timeline links)", deleteCommand("document",
		func(env *Env, st *store.Store, id int64) (string, error) {
			d, err := st.DeleteDocument(env.Ctx, id)
			return fmt.Sprintf("%s (request %d)", d.Filename, d.RequestID), err
		})})
	register(command{"authority delete", "delete an authority that has no requests", deleteCommand("authority",
		func(env *Env, st *store.Store, id int64) (string, error) {
			a, err := st.DeleteAuthority(env.Ctx, id)
			return a.Name, err
		})})
}

// deleteCommand is "<what> delete ID": the deletion is audited with the row
// as it was, like one made in the web app.
func deleteCommand(what string, del func(env *Env, st *store.Store, id int64) (string, error)) func(*Env, []string) error {
	return func(env *Env, args []string) error {
		fs := newFlags(env, what+" delete", "ID")
		if err := parseFlags(fs, args); err != nil {
			return err
		}
		id, err := idArg(fs, what)
		if err != nil {
			return err
		} else if id <= 0 {
			return usagef("%d is not a %s ID", id, what)
		}
		st, err := env.Store()
		if err != nil {
			return err
		}
		name, err := del(env, st, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "deleted %s %d: %s\n", what, id, name)
		return nil
	}
}
