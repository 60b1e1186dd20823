//go:build !linux

package main

import (
	"fmt"
	"io"
	"os"
)

// Outside Linux the terminal is not put into no-echo mode: use --password-file.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func promptNoEcho(in *os.File, out io.Writer, prompt string) (string, error) {
	fmt.Fprint(out, prompt+"(will be shown as you type; --password-file avoids this) ")
	return firstLine(in)
}
