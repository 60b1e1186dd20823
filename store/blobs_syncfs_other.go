//go:build !linux

package store

// syncFS is nil where there is no syncfs(2): each file and directory is
// synced in turn.
var syncFS func(dir string) error
